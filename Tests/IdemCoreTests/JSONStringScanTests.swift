import IdemSimulator
import Testing
@testable import IdemCore

/// The scanner's string scan (sixteen bytes a step in C to each quote, backslash or control character) against a byte
/// loop written from the JSON grammar: on random strings dense with quotes, backslashes, escapes valid and not,
/// `\u` escapes cut short and control characters, at every length around the block size, both give the same end,
/// the same escaped flag, or the same error.
@Suite struct JSONStringScanTests {
    /// The closing quote's position and whether an escape came before it, or the error the scanner must give.
    enum Scanned: Equatable {
        case string(end: Int, escaped: Bool)
        case error(String)
    }

    /// The grammar, one byte at a time (the opening quote at `bytes[0]`).
    static func reference(_ bytes: [UInt8]) -> Scanned {
        let n = bytes.count
        var i = 1, escaped = false
        func hex(_ c: UInt8) -> Bool { (48...57).contains(c) || (97...102).contains(c) || (65...70).contains(c) }
        while i < n {
            let c = bytes[i]
            if c == 34 { return .string(end: i, escaped: escaped) }
            if c < 0x20 { return .error("not JSON: control character in a string at column \(i + 1)") }
            if c != 92 {
                i += 1
                continue
            }
            escaped = true
            guard i + 1 < n else { return .error("not JSON: unterminated string") }
            switch bytes[i + 1] {
            case 34, 92, 47, 98, 102, 110, 114, 116: i += 2
            case 117:
                guard i + 6 <= n, bytes[(i + 2)..<(i + 6)].allSatisfy(hex) else {
                    return .error("not JSON: bad \\u escape at column \(i + 1)")
                }
                i += 6
            default: return .error("not JSON: bad escape at column \(i + 1)")
            }
        }
        return .error("not JSON: unterminated string")
    }

    static func scanned(_ bytes: [UInt8]) -> Scanned {
        bytes.withUnsafeBufferPointer { b in
            var s = JSONByteScanner(b.baseAddress!, count: b.count)
            do {
                let r = try s.string()
                #expect(s.i == r.end + 1)
                return .string(end: r.end, escaped: r.escaped)
            } catch let e as LineError {
                return .error(e.reason)
            } catch {
                return .error("\(error)")
            }
        }
    }

    @Test func theBlockScanAgreesWithTheGrammarByteByByte() {
        var rng = SeededRandom(seed: 12)
        // Bytes a request body stored as a JSON string is made of, and the ones that stop a scan.
        let special: [UInt8] = Array("\"\\/bfnrtu0aF9".utf8) + [0x01, 0x1f, 0x7f, 0xc3, 0xa9]
        var strings = 0, errors = 0
        for round in 0..<60_000 {
            let length = round < 200 ? round % 50 : Int.random(in: 0...70, using: &rng)
            var bytes: [UInt8] = [34]
            for _ in 0..<length {
                bytes.append(Int.random(in: 0..<3, using: &rng) == 0
                    ? special.randomElement(using: &rng)! : UInt8.random(in: 97...122, using: &rng))
            }
            if Bool.random(using: &rng) { bytes.append(34) }
            let expected = Self.reference(bytes)
            #expect(Self.scanned(bytes) == expected, "\(bytes)")
            if case .string = expected { strings += 1 } else { errors += 1 }
        }
        // Both kinds of answer were exercised, many times.
        #expect(strings > 10_000 && errors > 10_000)
    }

    @Test func escapesAcrossTheSixteenByteBlocks() {
        // An escape whose second byte, or whose \u digits, fall in the next block; a quote right after one.
        for pad in 0..<40 {
            let plain = String(repeating: "x", count: pad)
            for body in [#"\""#, #"\\"#, #"\u00e9"#, #"\\""#] {
                let bytes = Array("\"\(plain)\(body)\(plain)\"tail".utf8)
                #expect(Self.scanned(bytes) == Self.reference(bytes), "pad \(pad) \(body)")
                if case .string(_, let escaped) = Self.scanned(bytes) { #expect(escaped) } else { Issue.record("pad \(pad) \(body)") }
            }
        }
    }

    @Test func bodiesDenseWithEscapesAgreeWithTheGrammar() {
        // JSON held as a string (`{\"amount\":1,...}`): an escape every few bytes, now and then one the step's masks
        // cannot take at once (a double backslash, a \u, one in a step's last byte) or a bad one, a control byte
        // or a closing quote anywhere; the scan must give the grammar's answer whatever falls in which step.
        var rng = SeededRandom(seed: 31)
        let pieces: [(String, Int)] = [(#"\""#, 30), ("ab", 30), (#"\n"#, 4), (#"\/"#, 4), (#"\t"#, 3), (#"\\"#, 2),
                                       (#"\u00e9"#, 2), (#"\x"#, 1), ("\u{01}", 1), (#"""#, 2), ("é", 3), (":", 8)]
        let total = pieces.reduce(0) { $0 + $1.1 }
        var strings = 0, errors = 0
        for _ in 0..<20_000 {
            var text = "\""
            for _ in 0..<Int.random(in: 0...40, using: &rng) {
                var pick = Int.random(in: 0..<total, using: &rng)
                for (piece, weight) in pieces {
                    if pick < weight {
                        text += piece
                        break
                    }
                    pick -= weight
                }
            }
            text += #""tail"#
            let bytes = Array(text.utf8)
            let expected = Self.reference(bytes)
            #expect(Self.scanned(bytes) == expected, "\(text)")
            if case .string = expected { strings += 1 } else { errors += 1 }
        }
        #expect(strings > 5_000 && errors > 2_000)
    }
}
