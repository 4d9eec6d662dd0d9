//! The Lattice virtual machine: values with phase tags, bytecode modules, the LATC file
//! format and the interpreter. It never depends on the compiler: a `.latc` file runs
//! without the front end.
