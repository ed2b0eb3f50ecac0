//! EntryPoint v0.7 `AAnn` failure codes and what usually causes them.

use core::fmt;

/// An EntryPoint `AAnn` code, as found in `FailedOp` reasons and bundler messages.
///
/// The first digit says who failed: 1 = account creation, 2 = account, 3 = paymaster, 4 = gas
/// limits, 5 = post-execution accounting, 9 = bundle-level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AaCode {
    /// AA10: sender already constructed.
    AA10,
    /// AA13: initCode failed or out of gas.
    AA13,
    /// AA14: initCode must return sender.
    AA14,
    /// AA15: initCode must create sender.
    AA15,
    /// AA20: account not deployed.
    AA20,
    /// AA21: didn't pay prefund.
    AA21,
    /// AA22: expired or not due.
    AA22,
    /// AA23: account reverted during validation.
    AA23,
    /// AA24: signature error.
    AA24,
    /// AA25: invalid account nonce.
    AA25,
    /// AA26: over verificationGasLimit.
    AA26,
    /// AA30: paymaster not deployed.
    AA30,
    /// AA31: paymaster deposit too low.
    AA31,
    /// AA32: paymaster expired or not due.
    AA32,
    /// AA33: paymaster reverted during validation.
    AA33,
    /// AA34: paymaster signature error.
    AA34,
    /// AA36: over paymasterVerificationGasLimit.
    AA36,
    /// AA40: over verificationGasLimit.
    AA40,
    /// AA41: too little verificationGas.
    AA41,
    /// AA50: postOp reverted.
    AA50,
    /// AA51: prefund below actualGasCost.
    AA51,
    /// AA90: invalid beneficiary.
    AA90,
    /// AA91: failed send to beneficiary.
    AA91,
    /// AA92: internal call only.
    AA92,
    /// AA93: invalid paymasterAndData.
    AA93,
    /// AA94: gas values overflow.
    AA94,
    /// AA95: out of gas.
    AA95,
    /// AA96: invalid aggregator.
    AA96,
    /// A code this crate does not know (the two digits).
    Other(u8),
}

impl AaCode {
    /// The code from its two digits (`24` → [`AaCode::AA24`]).
    pub const fn from_number(n: u8) -> Self {
        match n {
            10 => Self::AA10,
            13 => Self::AA13,
            14 => Self::AA14,
            15 => Self::AA15,
            20 => Self::AA20,
            21 => Self::AA21,
            22 => Self::AA22,
            23 => Self::AA23,
            24 => Self::AA24,
            25 => Self::AA25,
            26 => Self::AA26,
            30 => Self::AA30,
            31 => Self::AA31,
            32 => Self::AA32,
            33 => Self::AA33,
            34 => Self::AA34,
            36 => Self::AA36,
            40 => Self::AA40,
            41 => Self::AA41,
            50 => Self::AA50,
            51 => Self::AA51,
            90 => Self::AA90,
            91 => Self::AA91,
            92 => Self::AA92,
            93 => Self::AA93,
            94 => Self::AA94,
            95 => Self::AA95,
            96 => Self::AA96,
            other => Self::Other(other),
        }
    }

    /// The two digits (`AA24` → 24).
    pub const fn number(self) -> u8 {
        match self {
            Self::AA10 => 10,
            Self::AA13 => 13,
            Self::AA14 => 14,
            Self::AA15 => 15,
            Self::AA20 => 20,
            Self::AA21 => 21,
            Self::AA22 => 22,
            Self::AA23 => 23,
            Self::AA24 => 24,
            Self::AA25 => 25,
            Self::AA26 => 26,
            Self::AA30 => 30,
            Self::AA31 => 31,
            Self::AA32 => 32,
            Self::AA33 => 33,
            Self::AA34 => 34,
            Self::AA36 => 36,
            Self::AA40 => 40,
            Self::AA41 => 41,
            Self::AA50 => 50,
            Self::AA51 => 51,
            Self::AA90 => 90,
            Self::AA91 => 91,
            Self::AA92 => 92,
            Self::AA93 => 93,
            Self::AA94 => 94,
            Self::AA95 => 95,
            Self::AA96 => 96,
            Self::Other(n) => n,
        }
    }

    /// Finds the first `AAnn` code in a message such as
    /// `"UserOperation reverted with reason: AA24 signature error"`.
    ///
    /// The code must stand alone: `xAA24` or `AA245` do not match.
    pub fn find_in(message: &str) -> Option<Self> {
        let bytes = message.as_bytes();
        (0..bytes.len().saturating_sub(3)).find_map(|i| {
            let window = &bytes[i..i + 4];
            let starts_word = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
            let ends_word = bytes.get(i + 4).is_none_or(|b| !b.is_ascii_alphanumeric());
            (starts_word
                && ends_word
                && window[..2].eq_ignore_ascii_case(b"AA")
                && window[2].is_ascii_digit()
                && window[3].is_ascii_digit())
            .then(|| Self::from_number((window[2] - b'0') * 10 + (window[3] - b'0')))
        })
    }

    /// A plain-language account of the likely cause, with what to check.
    pub const fn explanation(self) -> &'static str {
        match self {
            Self::AA10 => {
                "the account is already deployed but the operation still carries factory/factoryData; drop them"
            }
            Self::AA13 => {
                "the factory call (initCode) reverted or ran out of verification gas; check factoryData and verificationGasLimit"
            }
            Self::AA14 => {
                "the factory deployed a different address than `sender`; the sender or the factory data is wrong"
            }
            Self::AA15 => "the factory returned without deploying code at `sender`",
            Self::AA20 => {
                "the account has no code and no factory was given: add factory/factoryData for the first operation, or, for an EIP-7702 account, the EOA is not (or no longer) delegated: delegate it (eip7702Auth or a type-4 transaction)"
            }
            Self::AA21 => {
                "the account could not pay the prefund: its ETH balance/EntryPoint deposit is below the maximum gas cost (or use a paymaster)"
            }
            Self::AA22 => {
                "the signature's validity window (validAfter/validUntil) does not include the current block time"
            }
            Self::AA23 => {
                "the account reverted during validation; with smart sessions this is usually a policy violation or a validator/module error (see the inner revert data)"
            }
            Self::AA24 => {
                "the signature does not match the validator selected by the nonce key (wrong key, wrong mode or wrong encoding)"
            }
            Self::AA25 => {
                "invalid account nonce: the sequence for this nonce key was already used or is out of order; fetch EntryPoint.getNonce again"
            }
            Self::AA26 => "account validation used more gas than verificationGasLimit; raise it",
            Self::AA30 => "the paymaster address has no code",
            Self::AA31 => "the paymaster's EntryPoint deposit is too low to sponsor this operation",
            Self::AA32 => "the paymaster's validity window does not include the current block time",
            Self::AA33 => "the paymaster reverted during validation (see the inner revert data)",
            Self::AA34 => {
                "the paymaster rejected its signature (paymasterData signature invalid or for another operation)"
            }
            Self::AA36 => {
                "paymaster validation used more gas than paymasterVerificationGasLimit; raise it"
            }
            Self::AA40 => "validation used more gas than verificationGasLimit; raise it",
            Self::AA41 => {
                "too little verification gas left for the paymaster; raise verificationGasLimit"
            }
            Self::AA50 => "the paymaster's postOp reverted",
            Self::AA51 => {
                "the prefund was below the actual gas cost; the gas limits or fees are inconsistent"
            }
            Self::AA90 => "the bundler passed the zero address as beneficiary",
            Self::AA91 => "the EntryPoint could not pay the beneficiary",
            Self::AA92 => "an EntryPoint-internal function was called from outside",
            Self::AA93 => "paymasterAndData is malformed (shorter than paymaster + two gas limits)",
            Self::AA94 => "a gas value overflows its packed width",
            Self::AA95 => {
                "the bundle transaction ran out of gas; the operation's gas limits were underestimated"
            }
            Self::AA96 => "the signature aggregator is invalid",
            Self::Other(_) => "an EntryPoint failure code this SDK does not know; see the message",
        }
    }
}

impl fmt::Display for AaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AA{:02}", self.number())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_codes_in_bundler_messages() {
        assert_eq!(
            AaCode::find_in("UserOperation reverted with reason: AA24 signature error"),
            Some(AaCode::AA24)
        );
        assert_eq!(AaCode::find_in("AA23 reverted"), Some(AaCode::AA23));
        assert_eq!(
            AaCode::find_in("reason: aa25 invalid account nonce"),
            Some(AaCode::AA25)
        );
        assert_eq!(AaCode::find_in("code AA77"), Some(AaCode::Other(77)));
        assert_eq!(AaCode::find_in("(AA95 out of gas)"), Some(AaCode::AA95));
        for none in ["", "AA", "AA2", "xAA24", "AA245", "BAA24 x", "no code here"] {
            assert_eq!(AaCode::find_in(none), None, "{none}");
        }
    }

    #[test]
    fn numbers_round_trip() {
        for n in 0..100u8 {
            let code = AaCode::from_number(n);
            assert_eq!(code.number(), n);
            assert_eq!(code.to_string(), format!("AA{n:02}"));
        }
        assert!(AaCode::AA24.explanation().contains("nonce key"));
    }
}
