//! The Lattice standard library: native functions and built-in modules registered into the
//! VM, and the `lib/*.lat` libraries written in Lattice. Depends only on `lattice-vm`.
