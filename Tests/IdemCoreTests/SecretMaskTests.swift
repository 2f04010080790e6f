import Testing
import IdemCore

@Suite struct SecretMaskTests {
    let mask = SecretMask()

    @Test func secretHeadersAreMaskedWhateverTheirCase() {
        let shown = mask.headers(["Authorization": "Bearer sk_live_abc", "X-API-KEY": "k123", "Content-Type": "application/json"])
        #expect(shown.map(\.0) == ["Authorization", "Content-Type", "X-API-KEY"])
        #expect(shown.map(\.1) == ["Bearer ****", "application/json", "****"])
    }

    @Test func secretJSONFieldsAreMaskedAtAnyDepthAndTheRestIsPretty() {
        let body = #"{"amount":10,"card":{"card_number":"4242 4242 4242 4242","cvc":"123"},"items":[{"password":"x"}]}"#
        let shown = mask.body(body)
        #expect(shown.contains("\"card_number\" : \"****4242\""))
        #expect(shown.contains("\"cvc\" : \"****\""))
        #expect(shown.contains("\"password\" : \"****\""))
        #expect(shown.contains("\"amount\" : 10"))
        #expect(!shown.contains("123\""))
        #expect(shown.split(separator: "\n").count > 5)
    }

    @Test func textThatIsNotJSONIsLeftAsItIs() {
        #expect(mask.body("plain text") == "plain text")
    }
}
