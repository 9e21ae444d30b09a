//! Message text: the `ofp-print` form of a message (through the message
//! library), and the names of errors in OFPT_ERROR messages.

/// A message as `ofp-print` shows it (with a trailing newline).
pub fn to_string(msg: &[u8], verbosity: u32) -> String {
    openflow::msg::format(msg, verbosity)
}

/// [`to_string`] with port names substituted where the message has ports.
pub fn to_string_with(
    msg: &[u8],
    verbosity: u32,
    ports: Option<&openflow::port::PortMap>,
) -> String {
    openflow::msg::format_with(msg, verbosity, ports)
}

/// How an error message's (type, code) reads in `version`'s error space.
pub fn error_code(msg: &[u8]) -> Option<(openflow::Version, openflow::error::ErrorCode)> {
    use openflow::error::ErrorCode;
    let be16 = |at: usize| {
        msg.get(at..at + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
    };
    let be32 = |at: usize| {
        msg.get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let v = openflow::Version::from_wire(*msg.first()?)?;
    let (ty, code) = (be16(8)?, be16(10)?);
    let ec = if ty == openflow::error::NXET_VENDOR && v <= openflow::Version::Of11 {
        ErrorCode::Vendor {
            vendor: be32(12)?,
            ty: be16(16)?,
            code: be16(18)?,
        }
    } else if ty == openflow::error::OFPET_EXPERIMENTER && v >= openflow::Version::Of12 {
        ErrorCode::Vendor {
            vendor: be32(12)?,
            ty: code,
            code: 0,
        }
    } else {
        ErrorCode::Std { ty, code }
    };
    Some((v, ec))
}

/// The name of the error an OFPT_ERROR message carries ("OFPBAC_BAD_OUT_GROUP").
pub fn error_name(msg: &[u8]) -> Option<String> {
    let (v, ec) = error_code(msg)?;
    openflow::OfpError::from_code(v, ec).map(|e| e.name().to_string())
}
