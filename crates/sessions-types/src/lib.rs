//! ERC-7579 Smart Sessions encodings (ids, policies, signatures, EIP-712 digests, SessionData) for the three SmartSession module versions. No I/O.
