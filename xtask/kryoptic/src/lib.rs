//! Nothing: this package exists to build kryoptic's libkryoptic_pkcs11.so.
