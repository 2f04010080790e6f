import ArgumentParser
import Foundation
import IdemCore
import IdemDynamo
import IdemStore

/// `idemtop check-payload STORE TOKEN --payload FILE --jmespath EXPR`: what Powertools would do with a request.
struct CheckPayloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-payload",
        abstract: "Say whether Powertools would replay, reject (mismatch) or execute the next request with a payload.",
        discussion: """
            Computes the idempotency key the way Powertools does (MD5 of json.dumps(subset, sort_keys=True)), finds \
            the record in a dynamodb:// store, and decides as Powertools' DynamoDB layer would. TOKEN is the record \
            you are looking at (its hash, or the full key fn.module.qualname#hash); the payload may hash to another \
            one, which is then said.

            Verdicts: replayed, mismatch (IdempotencyValidationError), conflict (already in progress), executed \
            (no record, expired, or in progress past its deadline), no_key (the expression selects nothing).

            Examples:
              idemtop check-payload 'dynamodb://idem?region=eu-west-1' 7290408... --payload event.json --jmespath body
              idemtop check-payload "$STORE" 7290408... --payload event.json --jmespath 'powertools_json(body).order' \\
                  --validation-jmespath amount --format json
            """)

    @OptionGroup var store: StoreArgument
    @Argument(help: "The token: the key hash, or the full key fn.module.qualname#hash.") var token: String
    @Option(help: ArgumentHelp("The event as JSON ('-' for standard input).", valueName: "FILE")) var payload: String
    @Option(name: .customLong("jmespath"), help: ArgumentHelp("Powertools' event_key_jmespath ('' for the whole event).", valueName: "EXPR"))
    var keyPath: String
    @Option(name: .customLong("validation-jmespath"), help: ArgumentHelp("Powertools' payload_validation_jmespath.", valueName: "EXPR"))
    var validationPath: String?
    @Option(help: "Output format.") var format: TableOrJSON = .table
    @OptionGroup var clock: ClockOptions

    func run() throws {
        let location = try store.location()
        guard location.kind == DynamoDriver.kind else {
            throw CLIFailure.usage("check-payload reads Powertools records: give a dynamodb://TABLE?... store")
        }
        let text: String
        do {
            let data = payload == "-" ? FileHandle.standardInput.readDataToEndOfFile()
                : try Data(contentsOf: URL(fileURLWithPath: payload))
            text = String(decoding: data, as: UTF8.self)
        } catch {
            throw CLIFailure(message: "\(payload): cannot read the payload (\(error.localizedDescription))")
        }
        let check: PayloadCheck
        do { check = try PayloadCheck(payload: text, keyPath: keyPath, validationPath: validationPath) } catch {
            throw CLIFailure.usage("\(error)")
        }
        let now = try clock.instant()
        let loaded = try LoadedStore.load(location, policy: try clock.policy())
        guard let reader = loaded.reader as? DynamoReader else {
            throw CLIFailure(message: "check-payload needs the DynamoDB reader")
        }
        let named = PowertoolsRecord.split(token)
        let tokenHash = named.token
        let tenants = Set(loaded.ledger.indexes(token: tokenHash).map { loaded.ledger.tenant(of: loaded.ledger.records[$0]) })
        let tenant = named.tenant.isEmpty ? tenants.sorted().first : named.tenant
        var candidates = [check.keyHash, check.keyHashBase64].flatMap { loaded.ledger.indexes(token: $0) }
        if let tenant { candidates = candidates.filter { loaded.ledger.tenant(of: loaded.ledger.records[$0]) == tenant } }
        let record = try candidates.first.flatMap { i -> PowertoolsRecord? in
            let r = loaded.ledger.records[i]
            return try reader.record(for: TokenKey(tenant: loaded.ledger.tenant(of: r), token: r.token))
        }
        let (verdict, why) = check.verdict(record: record, at: now)
        let sameToken = check.matches(token: tokenHash)
        var out = Output()
        switch format {
        case .json:
            let object: [String: Any] = [
                "verdict": verdict.rawValue, "why": why, "key_hash": check.keyHash, "key_json": check.keyText,
                "validation_hash": check.validationHash as Any, "token": token, "payload_is_token": sameToken,
                "record": record.map { ["id": $0.id, "status": $0.rawStatus, "shown": $0.status(at: now).rawValue,
                                        "validation": $0.validation as Any] } as Any,
                "at": now.rfc3339,
            ]
            out.line(JSONText.encode(object, pretty: true))
        case .table:
            out.line("verdict     \(verdict.rawValue): \(why)")
            out.line("key hash    \(check.keyHash)  (md5 of \(Sanitizer.visible(String(check.keyText.prefix(120)))))")
            if let v = check.validationHash { out.line("validation  \(v)") }
            if let record { out.line("record      \(Sanitizer.visible(record.id))  \(record.rawStatus)  shown \(record.status(at: now).rawValue)") }
            if !sameToken {
                out.line("note        the payload hashes to \(check.keyHash), not \(Sanitizer.visible(tokenHash)): it uses another record")
            }
        }
        out.flush()
    }
}
