(display 1)
`