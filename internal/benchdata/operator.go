package benchdata

// OperatorPassword is the password of the operators the benchmarks create and sign in with: it
// passes the password policy (store.CheckPasswordPolicy) and contains no benchmark email's name.
const OperatorPassword = "quetzal-orbit-lantern-ledger"
