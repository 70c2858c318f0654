print("placeholder: see Benchmarks/relay-bench.sh")
