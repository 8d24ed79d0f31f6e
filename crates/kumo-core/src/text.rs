//! Text files as users have them: UTF-8 with or without a byte-order mark is accepted; anything else is
//! named, with the place of the first bad byte, instead of a bare "stream did not contain valid UTF-8".

/// The text of a file that should be UTF-8 (a leading byte-order mark is dropped). `Err` says what the
/// encoding problem is and where, as a sentence fragment to follow the file's name.
pub fn decode_utf8(bytes: &[u8]) -> Result<&str, String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err("is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8".to_owned());
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|error| {
        let valid = &bytes[..error.valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        // `valid` is valid UTF-8 by construction, so this counts characters exactly.
        let column = String::from_utf8_lossy(&valid[line_start..]).chars().count() + 1;
        format!(
            "is not UTF-8: byte 0x{:02X} at line {line}, column {column} is not valid UTF-8 (a Latin-1 or \
             Windows-1252 file?); save it as UTF-8",
            bytes[error.valid_up_to()]
        )
    })
}

#[cfg(test)]
mod tests {
    use super::decode_utf8;

    #[test]
    fn boms_and_bad_bytes() {
        assert_eq!(decode_utf8(b"\xEF\xBB\xBFa = 1\n"), Ok("a = 1\n"));
        assert_eq!(decode_utf8("é".as_bytes()), Ok("é"));
        let error = decode_utf8(b"a\nb\xE9c\n").unwrap_err();
        assert!(error.contains("byte 0xE9 at line 2, column 2"), "{error}");
        assert!(decode_utf8(b"\xFF\xFEa\x00").unwrap_err().contains("UTF-16"));
    }
}
