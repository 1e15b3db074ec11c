def main():
    strs = [str(i) for i in range(100000)]
    print(len(",".join(strs)))


main()
