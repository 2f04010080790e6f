import Foundation
import IdemCore

/// Follows a table's DynamoDB stream: every shard from `LATEST` when started, shards that appear later (splits)
/// from `TRIM_HORIZON`, each read with `GetRecords` until it closes.
///
/// Iterators expire after 15 minutes unused and records after 24 hours: a failing read says so and the reader falls
/// back to rescanning the table, then starts the stream again.
public final class DynamoStream {
    /// One change the stream reported.
    public enum Change: Sendable {
        /// An item written (INSERT or MODIFY), as it is now.
        case upsert(Item)
        /// An item deleted (by Powertools, by hand, or by TTL), by its key.
        case remove(Item)
    }

    public let client: DynamoClient
    public let arn: String
    /// Open iterators by shard; a shard that closed is dropped.
    private var iterators: [String: String] = [:]
    /// Every shard seen, so a split's children start from their beginning and nothing is read twice.
    private var seenShards: Set<String> = []
    private var readsSinceDescribe = 0

    public init(client: DynamoClient, arn: String) {
        self.client = client
        self.arn = arn
    }

    /// Takes a `LATEST` iterator on every open shard (call before the scan it follows, so no change is missed).
    public func start() throws {
        iterators = [:]
        seenShards = []
        for shard in try shards() {
            seenShards.insert(shard.id)
            if shard.open { iterators[shard.id] = try iterator(shard.id, type: "LATEST") }
        }
    }

    /// Every change since the last read, in shard order.
    public func read() throws -> [Change] {
        readsSinceDescribe += 1
        if readsSinceDescribe >= 30 || iterators.isEmpty {
            readsSinceDescribe = 0
            for shard in try shards() where !seenShards.contains(shard.id) {
                seenShards.insert(shard.id)
                iterators[shard.id] = try iterator(shard.id, type: "TRIM_HORIZON")
            }
        }
        var changes: [Change] = []
        for (shard, it) in iterators.sorted(by: { $0.key < $1.key }) {
            var next: String? = it
            var pages = 0
            while let current = next, pages < 10 {
                let answer = try client.call("GetRecords", ["ShardIterator": current, "Limit": 1000])
                let records = answer["Records"] as? [[String: Any]] ?? []
                for r in records {
                    guard let d = r["dynamodb"] as? [String: Any] else { continue }
                    switch r["eventName"] as? String {
                    case "REMOVE":
                        if let keys = d["Keys"] as? [String: Any] { changes.append(.remove(try AttributeValue.item(fromJSON: keys))) }
                    default:
                        if let image = d["NewImage"] as? [String: Any] {
                            changes.append(.upsert(try AttributeValue.item(fromJSON: image)))
                        }
                    }
                }
                next = answer["NextShardIterator"] as? String
                pages += 1
                if records.isEmpty { break }
            }
            if let next { iterators[shard] = next } else { iterators.removeValue(forKey: shard) }
        }
        return changes
    }

    struct Shard {
        var id: String
        var open: Bool
    }

    /// DescribeStream, all pages.
    private func shards() throws -> [Shard] {
        var out: [Shard] = []
        var start: String?
        repeat {
            var body: [String: Any] = ["StreamArn": arn]
            if let start { body["ExclusiveStartShardId"] = start }
            let answer = try client.call("DescribeStream", body)
            let description = answer["StreamDescription"] as? [String: Any] ?? [:]
            for s in description["Shards"] as? [[String: Any]] ?? [] {
                guard let id = s["ShardId"] as? String else { continue }
                let range = s["SequenceNumberRange"] as? [String: Any]
                out.append(Shard(id: id, open: range?["EndingSequenceNumber"] == nil))
            }
            start = description["LastEvaluatedShardId"] as? String
        } while start != nil
        return out
    }

    private func iterator(_ shard: String, type: String) throws -> String {
        let answer = try client.call("GetShardIterator", ["StreamArn": arn, "ShardId": shard, "ShardIteratorType": type])
        guard let it = answer["ShardIterator"] as? String else {
            throw DynamoError.malformed("GetShardIterator returned no iterator for \(shard)")
        }
        return it
    }
}
