import IdemCore

/// Checks a mapping against the table's real columns (`information_schema.columns`) before anything is read, so
/// a missing table, a missing column or a column of another type is one line naming it.
enum PostgresSchemaCheck {
    static let text: Set<String> = ["text", "character varying", "character", "uuid", "name"]
    static let integer: Set<String> = ["smallint", "integer", "bigint"]
    static let timestamp: Set<String> = ["timestamp with time zone", "timestamp without time zone"]
    static let body: Set<String> = text.union(["json", "jsonb", "bytea"])

    /// The role each mapped column plays and the types it may have.
    static func expectations(_ p: PostgresPreset) -> [(role: String, column: String, types: Set<String>)] {
        var out: [(String, String, Set<String>)] = [("key", p.keyCol, text.union(integer))]
        if let c = p.tenantCol { out.append(("tenant", c, text.union(integer))) }
        for c in p.rowIDCols where c != p.keyCol && c != p.tenantCol {
            out.append(("row id", c, text.union(integer)))
        }
        out.append(("created", p.createdCol, timestamp))
        if let c = p.lockedCol { out.append(("locked", c, timestamp)) }
        if let c = p.expiresCol { out.append(("expires", c, timestamp)) }
        if let c = p.finishedCol { out.append(("finished", c, timestamp)) }
        switch p.status {
        case .recoveryPoint(let c, _, _): out.append(("recovery point", c, text))
        case .valueMap(let c, _): out.append(("status", c, text.union(integer)))
        case .completedAt(let c): out.append(("completed", c, timestamp))
        case .jsonStatus(let c): out.append(("data", c, text.union(["json", "jsonb"])))
        }
        if let c = p.operationCol { out.append(("operation", c, text)) }
        if let c = p.requestMethodCol { out.append(("request method", c, text)) }
        if let c = p.requestPathCol { out.append(("request path", c, text)) }
        if let c = p.requestBodyCol { out.append(("request body", c, body)) }
        if let c = p.responseStatusCol { out.append(("response status", c, integer)) }
        if let c = p.responseBodyCol { out.append(("response body", c, body)) }
        if let c = p.fingerprintCol { out.append(("fingerprint", c, text)) }
        return out
    }

    /// Returns each column's type by name.
    static func check(_ config: PostgresConfig, on connection: PGConnection) throws -> [String: String] {
        let rows = try connection.query(
            "SELECT column_name::text, data_type::text FROM information_schema.columns "
                + "WHERE table_schema = $1 AND table_name = $2", [config.schema, config.table])
        let name = config.displayName
        guard rows.count > 0 else {
            throw PostgresError.schema("table \(Sanitizer.visible(name)) does not exist (or this user may not read it)")
        }
        var types: [String: String] = [:]
        for r in 0..<rows.count { types[rows.string(r, 0) ?? ""] = rows.string(r, 1) ?? "" }
        for e in expectations(config.preset) {
            guard let type = types[e.column] else {
                throw PostgresError.schema("table \(Sanitizer.visible(name)) has no column \(Sanitizer.visible(e.column)) "
                    + "(the \(e.role) column of preset \(config.preset.name)); is it another shape? set \(optionName(e.role))= or another preset=")
            }
            guard e.types.contains(type) else {
                throw PostgresError.schema("column \(Sanitizer.visible(e.column)) of \(Sanitizer.visible(name)) is \(type), "
                    + "but the \(e.role) column must be \(e.types.sorted().joined(separator: " or "))")
            }
        }
        return types
    }

    /// The location option that maps a role.
    static func optionName(_ role: String) -> String {
        switch role {
        case "key": return "key_col"
        case "tenant": return "tenant_col"
        case "row id": return "id_col"
        case "recovery point", "status", "completed", "data": return "status_col"
        default: return role.replacingOccurrences(of: " ", with: "_") + "_col"
        }
    }
}
