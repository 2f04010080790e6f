import IdemApp
import ArgumentParser
import IdemCore
import IdemStore

/// `idemtop show STORE TOKEN`: one token's record, its request and response, and its timeline.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one token: the record, the stored request and response, and every event with it.",
        discussion: """
            Secret headers and fields (Authorization, card_number, ...) are masked.

            Examples:
              idemtop show payments.jsonl 3f2a9c1e-8d7b-4c55-a1f0-0c9d8e7f6a5b
              idemtop show payments.db order-10042 --tenant umbrella --format json
            """)

    @OptionGroup var store: StoreArgument
    @Argument(help: "The token.") var token: String
    @Option(help: "The tenant, when the token exists in more than one.") var tenant: String?
    @Option(help: "Output format.") var format: TableOrJSON = .table
    @OptionGroup var clock: ClockOptions
    @Flag(help: "Neither read nor write the journal's token index checkpoint in the cache folder.") var noCache = false

    func run() throws {
        let now = try clock.instant()
        let config = try UserConfig.load()
        let loaded = try ShowLoad.load(store.location(), token: token, registry: registry, policy: try clock.policy(),
                                       until: clock.cutoff, cacheFolder: noCache || !config.cache ? nil : CacheFolder.path())
        loaded.notices.forEach { printError("idemtop: " + $0) }
        let ledger = loaded.ledger
        let index = try ShowCommand.find(token: token, tenant: tenant, in: ledger)
        let record = ledger.records[index]
        let key = ledger.key(of: record)
        let show = TokenShow(record: record, in: ledger, detail: try loaded.detail(key), at: now,
                             mask: SecretMask.standard(adding: config.secretFields))
        var out = Output()
        switch format {
        case .json: out.line(ReportJSON.encode(show, pretty: true))
        case .table: show.lines.forEach { out.line($0) }
        }
        out.flush()
        if let line = loaded.malformedWarning { printError("idemtop: " + line) }
    }

    /// The record's index for `token`, or a one-line failure (exit 2 when ambiguous).
    static func find(token: String, tenant: String?, in ledger: Ledger) throws -> Int {
        do { return try TokenLookup.find(token: token, tenant: tenant, in: ledger) } catch {
            throw CLIFailure(message: error.message, code: error.ambiguous ? 2 : 1)
        }
    }
}
