import IdemCore

/// Re-indents JSON text keeping its key order and number spelling, masking the values of secret keys.
///
/// Returns nil when the text is not JSON, so the caller shows it as plain text.
public enum JSONPretty {
    public static func lines(_ text: String, secrets: SecretFields) -> [[Span]]? {
        var p = Parser(bytes: Array(text.utf8), secrets: secrets)
        p.skipSpace()
        guard p.i < p.bytes.count, p.value(indent: 0, masked: false) else { return nil }
        p.skipSpace()
        guard p.i == p.bytes.count else { return nil }
        p.flush()
        return p.out
    }

    struct Parser {
        let bytes: [UInt8]
        let secrets: SecretFields
        var i = 0
        var out: [[Span]] = []
        var current: [Span] = []

        init(bytes: [UInt8], secrets: SecretFields) {
            self.bytes = bytes
            self.secrets = secrets
        }

        mutating func emit(_ s: String, _ role: Role = .normal) { current.append(Span(s, role)) }
        mutating func flush() {
            out.append(current)
            current = []
        }
        mutating func newline(_ indent: Int) {
            flush()
            if indent > 0 { emit(String(repeating: "  ", count: indent)) }
        }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13 { i += 1 }
        }

        /// Reads one value at the cursor and prints it; masked values print the mask instead.
        mutating func value(indent: Int, masked: Bool) -> Bool {
            skipSpace()
            guard i < bytes.count else { return false }
            switch bytes[i] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if masked {
                    guard let _ = skipComposite() else { return false }
                    emit(SecretFields.hidden, .dim)
                    return true
                }
                return composite(indent: indent)
            case UInt8(ascii: "\""):
                guard let s = string() else { return false }
                emit(masked ? "\"" + secrets.masked(s) + "\"" : "\"" + Sanitizer.visible(s) + "\"", masked ? .dim : .normal)
                return true
            default:
                let start = i
                while i < bytes.count, !",]} \t\r\n".utf8.contains(bytes[i]) { i += 1 }
                guard i > start else { return false }
                let word = String(decoding: bytes[start..<i], as: UTF8.self)
                guard word == "true" || word == "false" || word == "null" || Double(word) != nil else { return false }
                emit(masked ? secrets.masked(word) : word, masked ? .dim : .headerLabel)
                return true
            }
        }

        mutating func composite(indent: Int) -> Bool {
            let isObject = bytes[i] == UInt8(ascii: "{")
            let close: UInt8 = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            emit(isObject ? "{" : "[")
            i += 1
            skipSpace()
            if i < bytes.count, bytes[i] == close {
                i += 1
                emit(isObject ? "}" : "]")
                return true
            }
            while true {
                newline(indent + 1)
                skipSpace()
                var masked = false
                if isObject {
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), let key = string() else { return false }
                    masked = secrets.isSecretKey(key)
                    emit("\"" + Sanitizer.visible(key) + "\"", .header)
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return false }
                    i += 1
                    emit(": ")
                }
                guard value(indent: indent + 1, masked: masked) else { return false }
                skipSpace()
                guard i < bytes.count else { return false }
                if bytes[i] == UInt8(ascii: ",") {
                    i += 1
                    emit(",")
                    continue
                }
                guard bytes[i] == close else { return false }
                i += 1
                newline(indent)
                emit(isObject ? "}" : "]")
                return true
            }
        }

        /// Reads a JSON string literal and returns its text between the quotes as written (escapes kept).
        mutating func string() -> String? {
            let start = i
            i += 1
            while i < bytes.count {
                if bytes[i] == UInt8(ascii: "\\") { i += 2; continue }
                if bytes[i] == UInt8(ascii: "\"") {
                    i += 1
                    return String(decoding: bytes[(start + 1)..<(i - 1)], as: UTF8.self)
                }
                i += 1
            }
            return nil
        }

        /// Skips a whole object or array (for a masked value).
        mutating func skipComposite() -> Int? {
            var depth = 0
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""): guard string() != nil else { return nil }; continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { i += 1; return i }
                default: break
                }
                i += 1
            }
            return nil
        }
    }
}
