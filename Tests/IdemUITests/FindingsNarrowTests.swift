import IdemCore
import IdemUI
import Testing

/// The findings view narrowed: the `/` filter language on findings, `s` for newest first, and Enter on a double
/// charge opening the side-by-side view of its tokens with a verdict in words. Key by key on the pure update.
@Suite struct FindingsNarrowTests: DrivesState {
    let dark = BuiltinThemes.standard

    func typed(_ s: inout AppState, _ text: String) {
        for ch in text { _ = s.update(.key(.char(ch))) }
    }

    /// The timeline the store would give for a token of the fixture.
    static func content(_ key: TokenKey, events: [StoreEvent] = FindingsFixture.events) -> DetailContent {
        let timeline = events.filter { $0.tenant == key.tenant && $0.token == key.token }
        let req = StoredRequest(method: "POST", path: "/v1/charges", headers: ["Idempotency-Key": key.token],
                                body: #"{"amount":1999,"currency":"eur","customer":"cus_42"}"#)
        let res = StoredResponse(status: 201, headers: [:], body: #"{"id":"ch_\#(key.token.prefix(4))","amount":1999}"#)
        return DetailContent(key: key, request: req, response: res, error: nil, timeline: timeline)
    }

    @Test func slashFiltersTheFindingsByTenantAndEscTakesItBack() {
        var s = FindingsFixture.state()
        _ = press(&s, .char("F"))
        let all = s.findings.shown.count
        #expect(all == s.findings.findings.count && all > 3)
        _ = press(&s, .char("/"))
        #expect(s.input == .filter(text: "", previous: .all))
        typed(&s, "tenant:acme")
        // Applied as typed, the table's filter untouched.
        #expect(!s.findings.shown.isEmpty && s.findings.shown.allSatisfy { $0.tenant == "acme" })
        #expect(s.findings.shown.count < all)
        #expect(s.filter.isEmpty)
        #expect(s.findings.cursor == 0)
        _ = press(&s, .escape)
        #expect(s.input == nil && s.findings.filter.isEmpty && s.findings.shown.count == all)
        _ = press(&s, .char("/"))
        typed(&s, "tenant:acme")
        _ = press(&s, .enter)
        #expect(s.input == nil && s.findings.filter.source == "tenant:acme" && s.mode == .findings)
        // Esc clears the filter first, then leaves the view.
        _ = press(&s, .escape)
        #expect(s.findings.filter.isEmpty && s.findings.shown.count == all && s.mode == .findings)
        _ = press(&s, .escape)
        #expect(s.mode == .main)
    }

    @Test func kindSeverityTextAndRecordTermsNarrowTheFindings() {
        var s = FindingsFixture.state()
        _ = press(&s, .char("F"))
        func shown(_ text: String) -> [Finding] {
            _ = s.setFilter(text)
            return s.findings.shown
        }
        #expect(shown("kind:double").map(\.kind) == [.doubleChargeSuspect, .doubleChargeSuspect, .doubleChargeSuspect])
        #expect(shown("kind:double tenant:acme").count == 2)
        #expect(shown("finding:stuck").allSatisfy { $0.kind == .stuck } && !shown("finding:stuck").isEmpty)
        #expect(shown("severity:critical").allSatisfy { $0.severity == .critical })
        #expect(!shown("severity:high").contains { $0.severity < .high })
        #expect(shown("!tenant:acme").allSatisfy { $0.tenant != "acme" })
        // Free text reaches the tokens and the evidence.
        #expect(shown(String(FindingsFixture.doubleA.prefix(8))).contains { $0.kind == .doubleChargeSuspect })
        // A record term: a finding whose token's record is stuck.
        #expect(shown("status:stuck").contains { $0.kind == .stuck })
        #expect(!shown("status:stuck").contains { $0.kind == .doubleChargeSuspect })
        #expect(shown("tenant:nobody").isEmpty)
        let screen = screenLines(Fixture.rendered(s)).joined(separator: "\n")
        #expect(screen.contains("no findings match 'tenant:nobody' (Esc clears it)"))
        let parsed = s.setFilter("severity:huge")
        #expect(!parsed)
        #expect(s.filterError?.contains("severity is one of low, medium, high, critical") == true)
    }

    @Test func anAtWindowKeepsTheFindingsWhoseTokensHadAnEventInIt() {
        var s = FindingsFixture.state()
        _ = press(&s, .char("F"))
        func shown(_ text: String) -> [Finding] {
            _ = s.setFilter(text)
            return s.findings.shown
        }
        // The double charge's two executions were at -90 s and -60 s, the storm's at -50 s and after.
        let charge = shown("at:05:58:20..05:59:05")
        #expect(charge.contains { $0.kind == .doubleChargeSuspect })
        #expect(charge.allSatisfy { $0.tenant == "acme" })
        // The window's end is left out: one second before the first execution to it shows nothing of acme's.
        #expect(!shown("at:05:58:29..05:58:30").contains { $0.kind == .doubleChargeSuspect })
        #expect(shown("at:05:58:30..05:58:31").contains { $0.kind == .doubleChargeSuspect })
        // With the tenant, as the on-call engineer types it.
        #expect(!shown("tenant:hooli at:05:58:20..05:59:05").contains { $0.kind == .doubleChargeSuspect })
    }

    @Test func severityInTheTableKeepsTheTokensOfSoSevereFindings() {
        var s = FindingsFixture.state()
        s.refreshFindings(force: true)
        _ = s.setFilter("severity:critical")
        _ = s.update(.reindex)
        let critical = Set(s.findings.findings.filter { $0.severity == .critical }
            .flatMap { f in f.tokens.indices.map { f.key($0) } })
        let shown = Set(s.index.rows.map { s.ledger.key(of: s.ledger.records[Int($0)]) })
        #expect(!shown.isEmpty && shown == critical.filter { s.ledger.record($0) != nil })
        if case .success(let f) = Filter.parse("!sev:LOW kind:storm") {
            #expect(f.terms == [.not(.severity(.low)), .finding(.retryStorm)] && f.usesFindings)
        } else {
            Issue.record("did not parse")
        }
    }

    @Test func sSortsNewestFirstAndBack() {
        var s = FindingsFixture.state()
        _ = press(&s, .char("F"))
        let bySeverity = s.findings.shown
        _ = press(&s, .char("s"))
        #expect(s.findings.byTime)
        let byTime = s.findings.shown
        #expect(byTime.count == bySeverity.count)
        #expect(zip(byTime, byTime.dropFirst()).allSatisfy { $0.lastSeen >= $1.lastSeen })
        #expect(screenLines(Fixture.rendered(s)).contains { $0.contains("LAST▼") })
        _ = press(&s, .char("s"))
        #expect(!s.findings.byTime && s.findings.shown == bySeverity)
    }

    @Test func enterOnADoubleChargeOpensTheTokensSideBySideWithTheVerdict() {
        var s = FindingsFixture.state(width: 80, height: 24)
        _ = press(&s, .char("F"), .char("/"))
        typed(&s, "kind:double token:9b1e")
        _ = press(&s, .enter)
        let a = TokenKey(tenant: "acme", token: FindingsFixture.doubleA)
        let b = TokenKey(tenant: "acme", token: FindingsFixture.doubleB)
        #expect(press(&s, .enter) == [.loadCompare([a, b])])
        #expect(s.mode == .compare)
        #expect(s.compare?.verdict == ["reading the tokens from the store…"])
        _ = s.update(.compareLoaded(Self.content(a)))
        #expect(s.compare?.loaded == false)
        _ = s.update(.compareLoaded(Self.content(b)))
        #expect(s.compare?.loaded == true)
        let verdict = s.compare?.verdict.joined(separator: " ") ?? ""
        #expect(verdict.hasPrefix("The client made a new token per retry: 2 tokens carried one payload within 30s"),
                "\(verdict)")
        #expect(verdict.contains("\(FindingsFixture.doubleB) ran at 05:59:00.000Z"))
        #expect(verdict.contains("while \(FindingsFixture.doubleA) was still valid (it was valid until 2026-11-30"))
        #expect(verdict.contains("No token ran after its own expiry"))
        // ←/→ pick a token, Enter opens it, Esc comes back to the side-by-side view, then to the findings.
        #expect(s.compare?.column == 0)
        _ = press(&s, .right)
        #expect(s.compare?.column == 1)
        _ = press(&s, .right)
        #expect(s.compare?.column == 1)
        #expect(press(&s, .char("y")) == [.copy(b.token)])
        #expect(press(&s, .enter) == [.loadDetail(b)])
        #expect(s.mode == .detail)
        _ = press(&s, .escape)
        #expect(s.mode == .compare && s.compare?.column == 1)
        _ = press(&s, .left, .char("j"))
        #expect(s.compare?.column == 0 && s.compare?.scroll == 1)
        _ = press(&s, .char("g"))
        #expect(s.compare?.scroll == 0)
        _ = press(&s, .escape)
        #expect(s.mode == .findings && s.compare == nil)
    }

    @Test func everyKeyOfTheSideBySideView() {
        var s = FindingsFixture.state(width: 80, height: 24)
        _ = press(&s, .char("F"))
        _ = s.setFilter("kind:double token:9b1e")
        let a = TokenKey(tenant: "acme", token: FindingsFixture.doubleA)
        let b = TokenKey(tenant: "acme", token: FindingsFixture.doubleB)
        _ = press(&s, .enter)
        for k in [a, b] { _ = s.update(.compareLoaded(Self.content(k))) }
        _ = press(&s, .tab)
        #expect(s.compare?.column == 1)
        _ = press(&s, .backTab)
        #expect(s.compare?.column == 0)
        _ = press(&s, .char("l"), .char("h"))
        #expect(s.compare?.column == 0)
        let rows = s.compare?.rows.count ?? 0
        _ = press(&s, .pageDown)
        #expect((s.compare?.scroll ?? 0) > 1)
        _ = press(&s, .char("G"))
        let end = s.compare?.scroll ?? 0
        #expect(end == rows - CompareView.bodyRowsForTests(s))
        _ = press(&s, .char("j"))
        #expect(s.compare?.scroll == end)
        _ = press(&s, .pageUp, .home)
        #expect(s.compare?.scroll == 0)
        _ = press(&s, .char("?"))
        #expect(s.mode == .help)
        _ = press(&s, .escape)
        #expect(s.mode == .compare)
        _ = press(&s, .char(":"))
        #expect(s.input == .command(text: ""))
        _ = press(&s, .escape)
        #expect(press(&s, .char("q")) == [.quit])
        // Another finding's kind: Enter jumps to its token, as before.
        _ = press(&s, .escape)
        _ = s.setFilter("kind:stuck")
        _ = press(&s, .enter)
        #expect(s.mode == .main && s.selectedKey?.token == "order-1001")
    }

    @Test func aRetryAfterExpiryIsTheServersRetention() {
        let f = Finding(kind: .doubleChargeSuspect, severity: .high, tenant: "café-münchen", tokens: ["retry-9"],
                        firstSeen: Fixture.at(-10), lastSeen: Fixture.at(-10), evidence: "")
        let key = TokenKey(tenant: "café-münchen", token: "retry-9")
        let words = CompareVerdict.words([Self.content(key, events: Fixture.events)], finding: f)
        #expect(words.first?.hasPrefix("The server ran a retry after expiry: retry-9 expired at 2026-11-29 04:00:00Z and a retry at "
            + "2026-11-29 05:59:50Z (1h59m later) ran the work again") == true, "\(words)")
        #expect(words.contains("No second token ran while another was valid: not a new token per retry."))
    }

    @Test func aFailedReadSaysSoInItsColumn() {
        var s = FindingsFixture.state(width: 120, height: 40)
        _ = press(&s, .char("F"))
        _ = s.setFilter("kind:double token:9b1e")
        _ = press(&s, .enter)
        let a = TokenKey(tenant: "acme", token: FindingsFixture.doubleA)
        let b = TokenKey(tenant: "acme", token: FindingsFixture.doubleB)
        _ = s.update(.compareLoaded(Self.content(a)))
        _ = s.update(.compareFailed(b, "disk on fire"))
        #expect(s.compare?.loaded == true)
        #expect(screenLines(Fixture.rendered(s)).contains { $0.contains("could not read: disk on fire") })
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func snapshots(width: Int, height: Int) {
        var s = FindingsFixture.state(width: width, height: height)
        _ = press(&s, .char("F"), .char("/"))
        typed(&s, "tenant:acme")
        assertSnapshot(Fixture.rendered(s), theme: dark, named: "findings-filter-\(width)x\(height)")
        _ = press(&s, .enter)
        _ = s.setFilter("kind:double token:9b1e")
        _ = press(&s, .enter)
        for t in [FindingsFixture.doubleA, FindingsFixture.doubleB] {
            _ = s.update(.compareLoaded(Self.content(TokenKey(tenant: "acme", token: t))))
        }
        assertSnapshot(Fixture.rendered(s), theme: dark, named: "compare-\(width)x\(height)")
    }
}

/// The rows of a grid as text.
func screenLines(_ g: Grid) -> [String] { (0..<g.height).map { g.line($0) } }
