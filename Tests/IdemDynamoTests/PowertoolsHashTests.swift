import Foundation
import IdemTestSupport
import IdemCore
import Testing
@testable import IdemDynamo

/// Python's json.dumps(sort_keys=True) byte for byte, the JMESPath subset, and the key hash Powertools computes.
@Suite struct PowertoolsHashTests {
    /// What python3 prints for `json.dumps(json.loads(text), sort_keys=True)`.
    static func python(_ text: String) throws -> String {
        let r = try PowertoolsVenv.run("/usr/bin/python3", ["-c", "import json,sys; sys.stdout.write(json.dumps(json.loads(sys.stdin.read()), sort_keys=True))"],
                                       input: Data(text.utf8))
        guard r.code == 0 else { throw HarnessError("python3 failed: \(r.err)") }
        return r.out
    }

    @Test func dumpsMatchesPython() throws {
        let samples = [
            #"{"b": 1, "a": [1, 2.5, -0, 1e3, 1E-7, 12345678901234567890, 0.1, 1e16, 123456789012345.6], "c": null}"#,
            #"{"name": "Zoë ☃ 😀", "esc": "q\"b\\s\n\t\u0001\u007f/", "nested": {"z": true, "A": false, "é": {}}}"#,
            #"[]"#, #""just a string""#, #"10"#, #"-0.0"#, #"[1.5e300, 2.5e-300, 100.0, 1e15, 0.0001, 0.00001]"#,
        ]
        for s in samples {
            #expect(try PythonJSON.parse(s).dumps() == (try PowertoolsHashTests.python(s)), "\(s)")
        }
    }

    @Test func jmespathSubset() throws {
        let event = try PythonJSON.parse(#"{"body": "{\"order\": {\"id\": 7, \"lines\": [\"a\", \"b\"]}, \"user\": \"u1\"}", "headers": {"X-Key": "k"}, "list": [10, 20]}"#)
        func eval(_ e: String) throws -> String { try JMESPathLite.compile(e).search(event).dumps() }
        #expect(try eval("powertools_json(body).order.id") == "7")
        #expect(try eval("powertools_json(body).order.lines[-1]") == "\"b\"")
        #expect(try eval("[powertools_json(body).user, headers.\"X-Key\"]") == #"["u1", "k"]"#)
        #expect(try eval("{u: powertools_json(body).user, n: list[1]}") == #"{"n": 20, "u": "u1"}"#)
        #expect(try eval("missing.deeper") == "null")
        #expect(try eval("list[5]") == "null")
        #expect(throws: DynamoError.self) { try JMESPathLite.compile("list[?x > 1]") }
    }

    @Test func keyHashIsPowertools() throws {
        // The item SWIFT-NOTES saw Powertools write for {"body": "order-1", "amount": 10} with body / amount.
        let c = try PayloadCheck(payload: #"{"body": "order-1", "amount": 10}"#, keyPath: "body", validationPath: "amount")
        #expect(c.keyHash == "729040816f7330c4cb31f54a56f59a7b")
        #expect(c.validationHash == "d3d9446802a44259755d38e6d163e820")
        #expect(c.matches(token: Hex.base64(MD5.digest(Array("\"order-1\"".utf8)))))
        let whole = try PayloadCheck(payload: #"{"b": "é", "a": 1.0}"#, keyPath: "", validationPath: nil)
        #expect(whole.keyText == #"{"a": 1.0, "b": "\u00e9"}"#)
        #expect(try PayloadCheck(payload: #"{"a": null}"#, keyPath: "[a]", validationPath: nil).missingKey)
    }
}
