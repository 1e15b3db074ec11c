def main():
    counts = {}
    for i in range(1000000):
        w = "w%d" % ((i * 7919) % 1000)
        counts[w] = counts.get(w, 0) + 1
    print(len(counts))
    print(counts["w42"])


main()
