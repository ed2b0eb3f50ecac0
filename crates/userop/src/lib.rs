//! ERC-4337 EntryPoint v0.7 UserOperations: packed and JSON-RPC forms, builder and userOpHash. No I/O.
