import IdemDynamo
import IdemRedis
import IdemPostgres
import IdemStore

extension StoreRegistry {
    /// Every store kind idemtop opens. A new kind is its driver module plus one entry here.
    public static let standard = StoreRegistry([
        JournalDriver(),
        SQLiteDriver(),
        DynamoDriver(),
        RedisDriver(),
        PostgresDriver(),
    ])
}
