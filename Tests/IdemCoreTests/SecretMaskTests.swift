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

    @Test func aSecretNameHidesItsWholeValueObjectsAndArraysToo() {
        // The dashboard's detail view and `show` hide the same: an object under a secret name is secret whole.
        let shown = mask.body(#"{"password":{"old":"hunter2","new":"hunter3"},"secret":["a","b"],"amount":10}"#)
        #expect(shown.contains("\"password\" : \"****\"") && shown.contains("\"secret\" : \"****\""))
        #expect(!shown.contains("hunter") && !shown.contains("\"a\""))
        #expect(shown.contains("\"amount\" : 10"))
        #expect(SecretMask.standard(adding: ["X-Signature"]).isSecret("x_signature"))
    }

    @Test func textThatIsNotJSONIsLeftAsItIs() {
        #expect(mask.body("plain text") == "plain text")
    }
}
