import Foundation

/// The part of JMESPath idempotency configurations use: field paths (`a.b`, `"quoted key"`), indexes (`[0]`,
/// `[-1]`), multi-select lists (`[a, b]`) and hashes (`{x: a, y: b}`), `@`, and Powertools' functions
/// `powertools_json(expr)` and `powertools_base64(expr)`.
public indirect enum JMESPathLite: Sendable {
    case current
    case field(String)
    case index(Int)
    case sub(JMESPathLite, JMESPathLite)
    case list([JMESPathLite])
    case hash([(String, JMESPathLite)])
    case function(String, JMESPathLite)

    /// Compiles an expression; throws a usage error naming what it does not support.
    public static func compile(_ text: String) throws -> JMESPathLite {
        var p = Parser(chars: Array(text))
        let e = try p.expression()
        p.skipSpace()
        guard p.i == p.chars.count else { throw p.fail("unexpected '\(p.chars[p.i])'") }
        return e
    }

    /// Evaluates against a value; a missing field or index gives `null`, as JMESPath does.
    public func search(_ v: PythonJSON) throws -> PythonJSON {
        switch self {
        case .current: return v
        case .field(let name):
            if case .object(let o) = v { return o[name] ?? .null }
            return .null
        case .index(let n):
            guard case .array(let a) = v else { return .null }
            let k = n < 0 ? a.count + n : n
            return a.indices.contains(k) ? a[k] : .null
        case .sub(let left, let right):
            let l = try left.search(v)
            if l == .null { return .null }
            return try right.search(l)
        case .list(let items):
            if v == .null { return .null }
            return .array(try items.map { try $0.search(v) })
        case .hash(let pairs):
            if v == .null { return .null }
            var o: [String: PythonJSON] = [:]
            for (k, e) in pairs { o[k] = try e.search(v) }
            return .object(o)
        case .function(let name, let arg):
            let a = try arg.search(v)
            switch name {
            case "powertools_json":
                guard case .string(let s) = a else {
                    throw DynamoError.usage("powertools_json() wants a string, got \(a.dumps())")
                }
                return try PythonJSON.parse(s)
            case "powertools_base64":
                guard case .string(let s) = a, let data = Data(base64Encoded: s) else {
                    throw DynamoError.usage("powertools_base64() wants base64 text")
                }
                return .string(String(decoding: data, as: UTF8.self))
            default:
                throw DynamoError.usage("unsupported JMESPath function \(name)()")
            }
        }
    }

    struct Parser {
        let chars: [Character]
        var i = 0

        func fail(_ why: String) -> DynamoError {
            .usage("JMESPath '\(String(chars))': \(why) (supported: a.b, \"key\", [0], [a, b], {k: a}, @, powertools_json(x), powertools_base64(x))")
        }

        mutating func skipSpace() { while i < chars.count, chars[i].isWhitespace { i += 1 } }

        func peek() -> Character? { i < chars.count ? chars[i] : nil }

        mutating func expression() throws -> JMESPathLite {
            var e = try term()
            while true {
                skipSpace()
                guard let c = peek() else { return e }
                if c == "." {
                    i += 1
                    e = .sub(e, try term())
                } else if c == "[", i + 1 < chars.count, chars[i + 1] == "-" || chars[i + 1].isNumber {
                    e = .sub(e, try indexTerm())
                } else {
                    return e
                }
            }
        }

        mutating func indexTerm() throws -> JMESPathLite {
            i += 1
            let start = i
            if peek() == "-" { i += 1 }
            while let c = peek(), c.isNumber { i += 1 }
            guard let n = Int(String(chars[start..<i])), peek() == "]" else { throw fail("bad index") }
            i += 1
            return .index(n)
        }

        mutating func term() throws -> JMESPathLite {
            skipSpace()
            guard let c = peek() else { throw fail("unexpected end") }
            if c == "@" { i += 1; return .current }
            if c == "\"" { return .field(try quoted()) }
            if c == "[" {
                if i + 1 < chars.count, chars[i + 1] == "-" || chars[i + 1].isNumber { return try indexTerm() }
                i += 1
                var items: [JMESPathLite] = []
                repeat {
                    items.append(try expression())
                    skipSpace()
                } while consume(",")
                guard consume("]") else { throw fail("expected ']'") }
                return .list(items)
            }
            if c == "{" {
                i += 1
                var pairs: [(String, JMESPathLite)] = []
                repeat {
                    skipSpace()
                    let key = peek() == "\"" ? try quoted() : identifier()
                    guard !key.isEmpty else { throw fail("expected a key") }
                    skipSpace()
                    guard consume(":") else { throw fail("expected ':'") }
                    pairs.append((key, try expression()))
                    skipSpace()
                } while consume(",")
                guard consume("}") else { throw fail("expected '}'") }
                return .hash(pairs)
            }
            let name = identifier()
            guard !name.isEmpty else { throw fail("unexpected '\(c)'") }
            skipSpace()
            if consume("(") {
                let arg = try expression()
                skipSpace()
                guard consume(")") else { throw fail("expected ')'") }
                return .function(name, arg)
            }
            return .field(name)
        }

        mutating func consume(_ c: Character) -> Bool {
            skipSpace()
            if peek() == c { i += 1; return true }
            return false
        }

        mutating func identifier() -> String {
            let start = i
            while let c = peek(), c.isLetter || c.isNumber || c == "_" { i += 1 }
            return String(chars[start..<i])
        }

        mutating func quoted() throws -> String {
            i += 1
            var s = ""
            while let c = peek(), c != "\"" {
                if c == "\\", i + 1 < chars.count { i += 1 }
                s.append(chars[i])
                i += 1
            }
            guard consume("\"") else { throw fail("unterminated quoted key") }
            return s
        }
    }
}
