import Foundation
import IdemCore
import Testing
@testable import IdemDynamo

/// MD5 against RFC 1321's test suite, HMAC-SHA256 against RFC 4231's test cases.
@Suite struct CryptoVectorTests {
    @Test func md5MatchesRFC1321() {
        let vectors: [(String, String)] = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            ("12345678901234567890123456789012345678901234567890123456789012345678901234567890",
             "57edf4a22be3c955ac49da2e2107b67a"),
        ]
        for (input, want) in vectors { #expect(MD5.hex(Array(input.utf8)) == want, "md5(\"\(input)\")") }
        // What Powertools stored for the validated subset 10 (SWIFT-NOTES).
        #expect(MD5.hex(Array("10".utf8)) == "d3d9446802a44259755d38e6d163e820")
    }

    @Test func hmacMatchesRFC4231() {
        func bytes(_ hex: String) -> [UInt8] { Hex.decode(hex) ?? [] }
        let cases: [(key: [UInt8], data: [UInt8], want: String)] = [
            ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
             "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
            (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
            ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
             "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
            (bytes("0102030405060708090a0b0c0d0e0f10111213141516171819"), [UInt8](repeating: 0xcd, count: 50),
             "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
            ([UInt8](repeating: 0xaa, count: 131),
             Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
             "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
            ([UInt8](repeating: 0xaa, count: 131),
             Array(("This is a test using a larger than block-size key and a larger than block-size data. The key "
                    + "needs to be hashed before being used by the HMAC algorithm.").utf8),
             "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
        ]
        for (i, c) in cases.enumerated() {
            #expect(Hex.encode(HMAC.sha256(key: c.key, message: c.data)) == c.want, "RFC 4231 case \(i + 1)")
        }
        // Case 5 truncates the output to 128 bits.
        let truncated = HMAC.sha256(key: [UInt8](repeating: 0x0c, count: 20), message: Array("Test With Truncation".utf8))
        #expect(Hex.encode(truncated.prefix(16)) == "a3b6167473100ee06e0c796c2955552b")
    }

    @Test func hexAndBase64() {
        #expect(Hex.decode("00ff10") == [0, 255, 16])
        #expect(Hex.decode("0g") == nil)
        #expect(Hex.base64(MD5.digest(Array("".utf8))) == "1B2M2Y8AsgTpgAmY7PhCfg==")
    }
}
