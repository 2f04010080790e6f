import IdemApp
import ArgumentParser
import IdemActions
import IdemCore
import IdemStore

/// `idemtop replay STORE TOKEN --target URL`: sends a token's stored request again and compares the answers.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Send a token's stored request again to a service and compare the answer with the stored response.",
        discussion: """
            The request goes to TARGET + the stored path, with the stored method, body and headers, and the original \
            token in the idempotency header. Secret headers (Authorization, Cookie, ...) are never sent from the \
            store: re-supply them with --header. A service that keeps its idempotency promise answers with the stored \
            response (and Idempotent-Replayed: true); after a purge, it executes the request anew. Every replay is \
            recorded as an admin event.

            Examples:
              idemtop replay payments.db order-10042 --target http://127.0.0.1:8080 --dry-run
              idemtop replay payments.jsonl 3f2a9c1e --target https://payments.internal --header "Authorization: Bearer $TOKEN"
              idemtop replay payments.db order-10042 --target http://127.0.0.1:8080 --yes --format json

            --format json prints one object: the request sent, the stored response and the answer (status, \
            Idempotent-Replayed, body), bodies_match, the diff, the admin event, and expect (replayed, executes or \
            conflict: what the service will most likely do, from the token's status). It wants --yes or --dry-run. \
            Without --yes the prompt says what to expect; when the service would execute the request again (an \
            expired, purged or failed token), it asks for the word replay typed.
            """)

    @OptionGroup var store: StoreArgument
    @Argument(help: "The token.") var token: String
    @Option(help: ArgumentHelp("The service's base URL, e.g. http://127.0.0.1:8080.", valueName: "BASE_URL"))
    var target: String
    @Option(help: "The tenant, when the token exists in more than one.") var tenant: String?
    @Option(name: .customLong("header"),
            help: ArgumentHelp("A header to send (replaces a stored one; re-supplies a secret one). Repeatable.",
                               valueName: "NAME:VALUE"))
    var headers: [String] = []
    @Option(help: ArgumentHelp("Seconds to wait for the answer.", valueName: "S")) var timeout: Double = 10
    @Option(name: .customLong("idempotency-header"),
            help: "The header that carries the token (default Idempotency-Key, or idempotency_header in the config file).")
    var idempotencyHeaderOption: String?
    @Option(help: "Why: recorded in the admin event.") var reason = "replay"
    @Flag(help: "Do not ask for confirmation.") var yes = false
    @Flag(name: .customLong("dry-run"), help: "Print the request as a curl command; send nothing, write nothing.")
    var dryRun = false
    @Flag(name: .customLong("read-only"), help: "Open the store read-only: the replay is refused.") var readOnly = false
    @Option(help: "Output format.") var format: TableOrJSON = .table
    @OptionGroup var clock: ClockOptions

    func validate() throws {
        for h in headers where HeaderField(parsing: h) == nil {
            throw ValidationError("--header wants NAME:VALUE, not '\(h)'")
        }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be between 0 and 3600 s") }
        if let idempotencyHeader = idempotencyHeaderOption, idempotencyHeader.isEmpty || idempotencyHeader.contains(":") {
            throw ValidationError("--idempotency-header wants a header name")
        }
        if format == .json, !yes, !dryRun {
            throw ValidationError("--format json is for scripts, which cannot answer a prompt: add --yes or --dry-run")
        }
    }

    func run() throws {
        let config = try UserConfig.load()
        let idempotencyHeader = idempotencyHeaderOption ?? config.idempotencyHeader ?? "Idempotency-Key"
        let readOnly = self.readOnly || config.readOnly
        let location = try store.location()
        let loaded = try LoadedStore.load(location, registry: registry, policy: try clock.policy())
        let ledger = loaded.ledger
        let record = ledger.records[try ShowCommand.find(token: token, tenant: tenant, in: ledger)]
        let key = ledger.key(of: record)
        let expect = ReplayExpectation(status: record.status(at: try clock.instant()))
        let detail = try loaded.reader.detail(for: key)
        let options = ReplayOptions(target: target, headers: headers.compactMap(HeaderField.init(parsing:)),
                                    timeout: timeout, idempotencyHeader: idempotencyHeader, reason: reason,
                                    mask: SecretMask.standard(adding: config.secretFields))
        let actions = TokenActions(location: location, registry: registry, readOnly: readOnly, policy: try clock.policy())
        var out = Output()
        let plan: ReplayPlan
        do { plan = try actions.plan(key, request: detail.request, options: options) } catch let e as ActionError {
            throw CLIFailure(message: e.description)
        }
        if !dryRun {
            // Refuse before printing anything: a refusal is one line.
            if readOnly { throw StoreError.readOnly("replay is an action; drop --read-only") }
            if !yes, !Confirmation.canAsk { throw Confirmation.noTerminal(action: "replay") }
            // The admin event must have somewhere to go before the request goes out.
            try actions.openForWriting("replay")
        }
        for name in plan.missingSecrets {
            printError("idemtop: note: the stored \(Sanitizer.visible(name)) header is secret and not sent; re-supply it with --header '\(Sanitizer.visible(name)): ...'")
        }
        if dryRun, format == .json {
            out.line(ReportJSON.encode(ReplayReport(plan: plan, mask: options.mask, expect: expect), pretty: true))
            out.flush()
            return
        }
        if dryRun {
            out.line("# expect: \(expect.sentence)")
            if plan.curlMasksSecrets() { out.line("# secret values are shown as ****; the replay sends them as stored or given") }
            out.line(plan.curl())
            out.flush()
            return
        }
        if !yes {
            // Running the work again (a new charge) takes the word typed, not a reflex `y`.
            let word = expect.executes ? "replay" : "y"
            try Confirmation.require("Send \(plan.method) \(plan.url.absoluteString) with \(idempotencyHeader): \(key.token)? Expect: \(expect.sentence). Type \(word) to confirm:",
                                     typing: word, action: "replay")
        }
        let result: ReplayResult
        do {
            result = try actions.replayBlocking(key, request: detail.request, stored: detail.response, options: options)
        } catch let e as ActionError {
            throw CLIFailure(message: e.description)
        }
        switch format {
        case .table: for line in result.reportLines { out.line(line) }
        case .json: out.line(ReportJSON.encode(ReplayReport(result: result, mask: options.mask, expect: expect), pretty: true))
        }
        out.flush()
        if let why = result.recordError {
            throw CLIFailure(message: "the replay was sent but its admin event could not be recorded: \(why)")
        }
    }
}
