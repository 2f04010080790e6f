print("idemtop")
