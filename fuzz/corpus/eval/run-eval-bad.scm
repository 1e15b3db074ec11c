(eval '(if) (make-base-namespace))
