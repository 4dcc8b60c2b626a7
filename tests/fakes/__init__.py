"Local servers that speak providers' protocols on loopback, for tests"
