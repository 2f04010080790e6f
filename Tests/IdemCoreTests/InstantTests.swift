import Testing
@testable import IdemCore

@Suite struct InstantTests {
    @Test func formatsRFC3339WithMilliseconds() {
        #expect(Instant(ms: 0).rfc3339 == "1970-01-01T00:00:00.000Z")
        #expect(Instant(ms: 1_795_930_206_234).rfc3339 == "2026-11-29T05:30:06.234Z")
        #expect(Instant(ms: -1).rfc3339 == "1969-12-31T23:59:59.999Z")
    }

    @Test func parsesWhatItFormats() throws {
        for ms: Int64 in [0, 1, 999, 86_399_999, 951_782_400_000, 1_795_930_206_234, 4_102_444_800_000] {
            let text = Instant(ms: ms).rfc3339
            #expect(Instant(rfc3339: text) == Instant(ms: ms), "\(text)")
        }
    }

    @Test func parsesOffsetsAndFractions() {
        #expect(Instant(rfc3339: "2026-11-29T06:00:00+01:00") == Instant(rfc3339: "2026-11-29T05:00:00Z"))
        #expect(Instant(rfc3339: "2026-11-29T05:00:00-00:30")?.ms == Instant(rfc3339: "2026-11-29T05:30:00Z")?.ms)
        #expect(Instant(rfc3339: "2026-11-29T05:00:00.5Z")?.ms == Instant(rfc3339: "2026-11-29T05:00:00.500Z")?.ms)
        #expect(Instant(rfc3339: "2026-11-29T05:00:00.12Z")?.ms == Instant(rfc3339: "2026-11-29T05:00:00.120Z")?.ms)
        #expect(Instant(rfc3339: "2026-11-29T05:00:00.123456789Z")?.ms == Instant(rfc3339: "2026-11-29T05:00:00.123Z")?.ms)
    }

    @Test func rejectsMalformedTimes() {
        for bad in ["", "2026-11-29", "2026-11-29T05:00:00", "2026-13-01T00:00:00Z", "2026-11-29T25:00:00Z",
                    "2026-11-29T05:00:00.Z", "2026-11-29T05:00:00Zjunk", "yesterday"] {
            #expect(Instant(rfc3339: bad) == nil, "\(bad)")
        }
    }

    @Test func rejectsTimesThatDoNotExist() {
        for bad in ["2026-02-30T00:00:00Z", "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
                    "2026-06-31T00:00:00Z", "2026-09-31T00:00:00Z", "2026-11-31T00:00:00Z", "2026-01-32T00:00:00Z",
                    "2026-01-00T00:00:00Z", "2026-11-29T05:00:00+24:00", "2026-11-29T05:00:00-24:00",
                    "2026-11-29T05:00:00+05:60", "2026-11-29T05:60:00Z", "2026-11-29T24:00:00Z"] {
            #expect(Instant(rfc3339: bad) == nil, "\(bad)")
        }
    }

    @Test func acceptsTheLastDayOfEachMonthAndTheWidestOffsets() {
        for good in ["2024-02-29T00:00:00Z", "2000-02-29T00:00:00Z", "2026-02-28T23:59:59Z", "1900-02-28T00:00:00Z",
                     "2026-04-30T00:00:00Z", "2026-12-31T23:59:59Z", "2026-01-31T00:00:00Z",
                     "2026-11-29T05:00:00+23:59", "2026-11-29T05:00:00-23:59"] {
            #expect(Instant(rfc3339: good) != nil, "\(good)")
        }
        #expect(Instant(rfc3339: "2000-02-29T00:00:00Z")?.rfc3339 == "2000-02-29T00:00:00.000Z")
        #expect(Instant(rfc3339: "2026-11-29T05:00:00+23:59")?.ms
                == Instant(rfc3339: "2026-11-28T05:01:00Z")?.ms)
        #expect(Instant(rfc3339: "2026-11-29T05:00:00-23:59")?.ms
                == Instant(rfc3339: "2026-11-30T04:59:00Z")?.ms)
    }

    @Test func parsesDurations() {
        #expect(TimeSpan(parsing: "90")?.ms == 90_000)
        #expect(TimeSpan(parsing: "10m")?.ms == 600_000)
        #expect(TimeSpan(parsing: "1h30m")?.ms == 5_400_000)
        #expect(TimeSpan(parsing: "250ms")?.ms == 250)
        #expect(TimeSpan(parsing: "2d")?.ms == 172_800_000)
        #expect(TimeSpan(parsing: "10 minutes") == nil)
        #expect(TimeSpan(parsing: "m") == nil)
        #expect(TimeSpan(parsing: "") == nil)
    }

    @Test func formatsDurationsCompactly() {
        #expect(TimeSpan.seconds(45).compact == "45s")
        #expect(TimeSpan.seconds(180).compact == "3m")
        #expect(TimeSpan.seconds(185).compact == "3m05s")
        #expect(TimeSpan.minutes(125).compact == "2h05m")
        #expect(TimeSpan.hours(99).compact == "4d03h")
        #expect((-TimeSpan.minutes(3)).compact == "-3m")
    }

    @Test func theDateMemoAgreesWithAFreshParseWhateverCameBefore() {
        // Each text parsed after each other one (the memo then holds the earlier one's date, valid or not): the
        // answer is always that of a parse without memo.
        let texts = ["2026-11-28T06:00:00.003Z", "2026-11-28T23:59:60Z", "2026-11-28T24:00:00Z", "2026-11-28X06:00:00Z",
                     "2026-11-28t06:00:00+02:30", "2026-11-28 06:00:00.5-01:00", "2026-11-29T00:00:00Z",
                     "2028-02-29T12:00:00Z", "2026-02-29T12:00:00Z", "2026-13-01T00:00:00Z", "2026-11-2aT00:00:00Z",
                     "2026-11-28T06:00:00.Z", "2026-11-28T06:00:00", "2026-11-28T06:00Z", "2026-11-28T06:00:00.003Zx",
                     "1969-12-31T23:59:59.999Z", "0000-01-01T00:00:00Z"]
        func fresh(_ t: String) -> Instant? { Array(t.utf8).withUnsafeBufferPointer { Instant.parseRFC3339($0) } }
        for first in texts {
            for second in texts {
                var memo = DateMemo()
                let a = Array(first.utf8).withUnsafeBufferPointer { Instant.parseRFC3339($0, memo: &memo) }
                let b = Array(second.utf8).withUnsafeBufferPointer { Instant.parseRFC3339($0, memo: &memo) }
                #expect(a == fresh(first), "\(first)")
                #expect(b == fresh(second), "\(second) after \(first)")
            }
        }
        #expect(fresh("2026-11-28T06:00:00.003Z")?.ms == Instant(rfc3339: "2026-11-28T06:00:00.003Z")?.ms)
        #expect(fresh("2026-11-28T06:00:00.003Z") != nil && fresh("2026-02-29T12:00:00Z") == nil)
    }

    @Test func theWritersShapeReadInCAgreesWithTheGeneralParse() {
        // 24 bytes `…T06:00:00.003Z` go through `idem_time_of_day_ms`; with a fourth fraction digit the same text
        // takes the general parse, which reads the first three. Every one-byte change of the time part must get
        // the same answer both ways, and unchanged texts their own instant back.
        func parse(_ t: String) -> Instant? { Array(t.utf8).withUnsafeBufferPointer { Instant.parseRFC3339($0) } }
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("0159:.Tt zZ+-a/\u{7f}".utf8)
        for _ in 0..<300 {
            let at = Instant(ms: Int64.random(in: 0...4_102_444_800_000, using: &rng))
            let text = at.rfc3339
            #expect(text.utf8.count == 24 && parse(text) == at, "\(text)")
            var bytes = Array(text.utf8)
            for k in 10..<24 {
                let was = bytes[k]
                for c in alphabet where c != was {
                    bytes[k] = c
                    let short = String(decoding: bytes, as: UTF8.self)
                    let long = String(decoding: bytes[0..<23] + Array("0".utf8) + bytes[23...], as: UTF8.self)
                    #expect(parse(short) == parse(long), "\(short) against \(long)")
                }
                bytes[k] = was
            }
        }
        #expect(parse("2026-11-28T23:59:60.000Z") != nil && parse("2026-11-28T24:00:00.000Z") == nil)
        #expect(parse("2026-11-28t06:00:00.003z")?.ms == parse("2026-11-28T06:00:00.003Z")?.ms)
    }
}
