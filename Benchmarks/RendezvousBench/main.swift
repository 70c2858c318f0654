print("placeholder: see Benchmarks/rendezvous-bench.sh")
