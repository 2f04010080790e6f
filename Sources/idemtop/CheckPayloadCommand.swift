import IdemApp
import ArgumentParser
import Foundation
import IdemCore
import IdemDynamo
import IdemRedis
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
        guard location.kind == DynamoDriver.kind || location.kind == RedisDriver.kind else {
            throw CLIFailure.usage("check-payload reads Powertools records: give a dynamodb://TABLE?... or redis://... store")
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
        let loaded = try LoadedStore.load(location, registry: registry, policy: try clock.policy())
        let report: PayloadCheckReport
        if let redis = loaded.reader as? RedisReader {
            report = try PayloadCheckReport(check: check, token: token, loaded: loaded, redis: redis, at: now)
        } else if let reader = loaded.reader as? DynamoReader {
            report = try PayloadCheckReport(check: check, token: token, loaded: loaded, reader: reader, at: now)
        } else {
            throw CLIFailure(message: "check-payload needs the DynamoDB or Redis reader")
        }
        var out = Output()
        switch format {
        case .json: out.line(ReportJSON.encode(report, pretty: true))
        case .table: report.lines.forEach { out.line($0) }
        }
        out.flush()
    }
}
