from gongkai.bench.runner import main

main()
