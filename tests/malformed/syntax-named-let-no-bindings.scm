(let loop)
