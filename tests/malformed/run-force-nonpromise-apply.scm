((force (delay 5)))
