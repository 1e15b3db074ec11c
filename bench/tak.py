# Takeuchi function: tak(18, 12, 6) repeated 3500 times, as in tak.rkt.


def tak(x, y, z):
    if not (y < x):
        return z
    return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y))


def main():
    r = 0
    for _ in range(3500):
        r = tak(18, 12, 6)
    print(r)


main()
