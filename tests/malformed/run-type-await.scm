(await 5)
