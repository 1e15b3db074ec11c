(sqrt "4")
