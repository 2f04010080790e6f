import Testing
@testable import IdemCore

@Suite struct FingerprintTests {
    @Test func sha256MatchesPublishedVectors() {
        // FIPS 180-4 examples.
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func packedDigestPrintsBackUnchanged() {
        let hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        let f = Fingerprint(hex)
        #expect(f.description == hex)
        if case .sha256 = f.storage {} else { Issue.record("a SHA-256 hex digest should be packed") }
        #expect(Fingerprint("d3d9446802a44259755d38e6d163e820").description == "d3d9446802a44259755d38e6d163e820")
        #expect(Fingerprint(hex.uppercased()).description == hex.uppercased())
        #expect(Fingerprint(hex) == Fingerprint(hex))
        #expect(Fingerprint(hex) != Fingerprint(hex.uppercased()))
    }

    @Test func everyHexDigitInEveryPlacePacksAndAnyOtherByteKeepsTheText() {
        // The packer reads eight digits at a time: each digit value in each of the 64 places must land in its nibble.
        let digits = Array("0123456789abcdef")
        for place in 0..<64 {
            for d in digits {
                var chars = Array(repeating: Character("0"), count: 64)
                chars[place] = d
                chars[63 - place] = digits[(place * 7) % 16]
                let hex = String(chars)
                let f = Fingerprint(hex)
                #expect(f.description == hex)
                if case .sha256 = f.storage {} else { Issue.record("\(hex) should be packed") }
            }
            // Bytes just outside the digits' ranges, and non-ASCII, keep the text as it is.
            for bad in ["/", ":", "`", "g", "A", "F", "é"] {
                var chars = Array(repeating: Character("a"), count: 64)
                chars[place] = Character(bad)
                let text = String(chars)
                let f = Fingerprint(text)
                #expect(f.description == text)
                if case .text = f.storage {} else { Issue.record("\(text) is not lower-case hex") }
            }
        }
    }

    @Test func jsonBodyKeyOrderDoesNotChangeTheFingerprint() {
        let a = Fingerprint.of(method: "post", path: "/v1/charges", body: #"{"amount": 10, "currency":"eur"}"#)
        let b = Fingerprint.of(method: "POST", path: "/v1/charges", body: #"{"currency":"eur","amount":10}"#)
        let c = Fingerprint.of(method: "POST", path: "/v1/charges", body: #"{"currency":"eur","amount":11}"#)
        let d = Fingerprint.of(method: "POST", path: "/v1/refunds", body: #"{"currency":"eur","amount":10}"#)
        #expect(a == b)
        #expect(a != c)
        #expect(a != d)
        #expect(Fingerprint.of(method: "POST", path: "/x", body: "not json") != Fingerprint.of(method: "POST", path: "/x", body: "not json!"))
    }
}
