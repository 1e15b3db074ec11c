(finish-var "no_such_variable_anywhere")
