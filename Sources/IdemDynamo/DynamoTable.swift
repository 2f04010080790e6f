import Foundation
import IdemCore

/// The operations idemtop runs on one Powertools table: describe, scan a segment page, query the partition,
/// get and conditionally delete an item.
public final class DynamoTable: Sendable {
    public let client: DynamoClient
    /// The configuration, with the key layout filled in from the table's key schema.
    public let config: DynamoTableConfig
    /// The item count DescribeTable reported (DynamoDB refreshes it about every six hours; 0 when unknown).
    public let approximateItemCount: Int64
    /// Whether the table has a DynamoDB stream.
    public let hasStream: Bool
    /// The stream's ARN and view type (`NEW_IMAGE`, `NEW_AND_OLD_IMAGES`, `KEYS_ONLY`, `OLD_IMAGE`).
    public let streamARN: String?
    public let streamViewType: String?
    /// The client for the table's stream (same credentials; `streams.dynamodb.REGION` on AWS, else the endpoint).
    public let streamsClient: DynamoClient?

    /// Opens the table a config names: resolves credentials, region and endpoint, and describes the table (which
    /// fails with one clear line when it is missing, unreachable, or the credentials are refused).
    public convenience init(config: DynamoTableConfig, clock: any Clock = SystemClock(),
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let region = config.region ?? AWSCredentials.region(profile: config.profile, environment: environment)
        guard let region else {
            throw DynamoError.usage("no AWS region: add region=R to the store URL or set AWS_REGION")
        }
        let credentials = try CredentialsProvider(profile: config.profile, environment: environment)
        let endpoint = try config.resolvedEndpoint(region: region, environment: environment)
        let signer = SigV4(credentials: try credentials.credentials(at: clock.now()), region: region, service: "dynamodb")
        let client = DynamoClient(endpoint: endpoint, signer: signer, credentials: credentials, table: config.table,
                                  clock: clock, timeout: Double(config.requestTimeout.ms) / 1000)
        var streams = endpoint
        if endpoint.host == "dynamodb.\(region).amazonaws.com", let url = URL(string: "https://streams.dynamodb.\(region).amazonaws.com/") {
            streams = url
        }
        let streamsClient = DynamoClient(endpoint: streams, signer: signer, credentials: credentials,
                                         table: config.table, clock: clock,
                                         timeout: Double(config.requestTimeout.ms) / 1000,
                                         targetPrefix: "DynamoDBStreams_20120810")
        try self.init(client: client, config: config, streamsClient: streamsClient)
    }

    public init(client: DynamoClient, config: DynamoTableConfig, streamsClient: DynamoClient? = nil) throws {
        self.client = client
        self.streamsClient = streamsClient
        var config = config
        let table = try DynamoTable.describe(client, &config)
        self.config = config
        approximateItemCount = (table["ItemCount"] as? NSNumber)?.int64Value ?? 0
        let stream = table["StreamSpecification"] as? [String: Any]
        hasStream = (stream?["StreamEnabled"] as? Bool) ?? false
        streamViewType = stream?["StreamViewType"] as? String
        streamARN = hasStream ? table["LatestStreamArn"] as? String : nil
    }

    /// DescribeTable: the key schema decides the layout (a RANGE key means the sort-key layout), filled into
    /// `config`; answers the table's description.
    static func describe(_ client: DynamoClient, _ config: inout DynamoTableConfig) throws -> [String: Any] {
        let answer = try client.call("DescribeTable", ["TableName": config.table])
        guard let table = answer["Table"] as? [String: Any] else {
            throw DynamoError.malformed("DescribeTable returned no Table")
        }
        let schema = table["KeySchema"] as? [[String: Any]] ?? []
        let hash = schema.first { $0["KeyType"] as? String == "HASH" }?["AttributeName"] as? String
        let range = schema.first { $0["KeyType"] as? String == "RANGE" }?["AttributeName"] as? String
        if let hash, hash != config.keyAttr {
            if config.sortKeyAttr == nil && range == nil && config.keyAttr != "id" {
                throw DynamoError.usage("key_attr=\(config.keyAttr) but the table's partition key is '\(hash)'")
            }
            config.keyAttr = hash
        }
        if let range {
            if let given = config.sortKeyAttr, given != range {
                throw DynamoError.usage("sort_key_attr=\(given) but the table's sort key is '\(range)'")
            }
            config.sortKeyAttr = range
        } else if let given = config.sortKeyAttr {
            throw DynamoError.usage("sort_key_attr=\(given) but the table '\(config.table)' has no sort key")
        }
        return table
    }

    /// One page of items and where the next page starts (nil at the end).
    public struct Page: Sendable {
        public var items: [Item]
        public var lastKey: Item?
    }

    /// One page of a Scan segment (or, with the sort-key layout and a `static_pk_value`, of the partition's Query).
    public func page(segment: Int, of total: Int, after start: Item?, filter: Filter? = nil) throws -> Page {
        var body: [String: Any] = ["TableName": config.table]
        var names: [String: String] = filter?.names ?? [:]
        var values: Item = filter?.values ?? [:]
        if let filter { body["FilterExpression"] = filter.expression }
        let action: String
        if let pk = config.staticPKValue, config.sortKeyAttr != nil {
            action = "Query"
            body["KeyConditionExpression"] = "#pk = :pk"
            names["#pk"] = config.keyAttr
            values[":pk"] = .s(pk)
        } else {
            action = "Scan"
            if total > 1 {
                body["Segment"] = segment
                body["TotalSegments"] = total
            }
        }
        if !names.isEmpty { body["ExpressionAttributeNames"] = names }
        if !values.isEmpty { body["ExpressionAttributeValues"] = AttributeValue.json(values) }
        if config.consistentRead { body["ConsistentRead"] = true }
        if let limit = config.pageLimit { body["Limit"] = limit }
        if let start { body["ExclusiveStartKey"] = AttributeValue.json(start) }
        let answer = try client.call(action, body)
        let rawItems = answer["Items"] as? [[String: Any]] ?? []
        let items = try rawItems.map { try AttributeValue.item(fromJSON: $0) }
        let last = try (answer["LastEvaluatedKey"] as? [String: Any]).map { try AttributeValue.item(fromJSON: $0) }
        return Page(items: items, lastKey: last)
    }

    /// A Scan or Query filter: the expression and its placeholders.
    public struct Filter: Sendable {
        public var expression: String
        public var names: [String: String]
        public var values: Item
    }

    /// Segments to read: one for a Query, `segments` for a Scan.
    public var segmentCount: Int { config.staticPKValue != nil && config.sortKeyAttr != nil ? 1 : config.segments }

    /// GetItem on a record's key; nil when the item is gone.
    public func get(_ key: Item) throws -> Item? {
        var body: [String: Any] = ["TableName": config.table, "Key": AttributeValue.json(key)]
        if config.consistentRead { body["ConsistentRead"] = true }
        let answer = try client.call("GetItem", body)
        return try (answer["Item"] as? [String: Any]).map { try AttributeValue.item(fromJSON: $0) }
    }

    /// DeleteItem if `condition` holds; throws `conditionFailed` (with the current item when DynamoDB returns it).
    public func delete(_ key: Item, condition: String, names: [String: String], values: Item) throws {
        _ = try client.call("DeleteItem", [
            "TableName": config.table, "Key": AttributeValue.json(key), "ConditionExpression": condition,
            "ExpressionAttributeNames": names, "ExpressionAttributeValues": AttributeValue.json(values),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        ])
    }

    /// Every item of the table (or the partition), reading the segments in parallel: for tools and tests.
    public func scanAll(filter: Filter? = nil) throws -> [Item] {
        let total = segmentCount
        let results = ParallelPages.run(count: total) { segment -> Result<[Item], Error> in
            var items: [Item] = []
            var start: Item?
            repeat {
                do {
                    let page = try self.page(segment: segment, of: total, after: start, filter: filter)
                    items += page.items
                    start = page.lastKey
                } catch { return .failure(error) }
            } while start != nil
            return .success(items)
        }
        return try results.flatMap { try $0.get() }
    }
}

extension DynamoTable {
    /// The record of a token (function name and hash), found with a filtered parallel scan: Powertools' key also
    /// holds `module.qualname`, which a `TokenKey` does not.
    public func find(_ key: TokenKey) throws -> PowertoolsRecord? {
        let idAttr = config.sortKeyAttr ?? config.keyAttr
        let filter = Filter(expression: "contains(#k, :h)", names: ["#k": idAttr], values: [":h": .s("#" + key.token)])
        let config = self.config
        return try scanAll(filter: filter).lazy.compactMap { try? PowertoolsRecord(item: $0, config: config) }
            .first { $0.tenant == key.tenant && $0.token == key.token }
    }
}
