import Foundation
import IdemCore
import IdemStore
import IdemTestSupport
import Testing
@testable import IdemPostgres

/// What goes wrong at open is one line naming it: a wrong password, a missing table, a table of another shape, a
/// column of the wrong type, a bad option.
@Suite(.serialized) struct PostgresBadInputTests {
    /// The one-line message opening `url` fails with.
    static func failure(_ url: String) -> String {
        do {
            guard let l = try PostgresDriver().recognise(url) else { return "not recognised" }
            _ = try PostgresReader(location: l)
            return "opened"
        } catch {
            return "\(error)"
        }
    }

    @Test func wrongPasswordIsOneLineAndNeverShowsThePassword() throws {
        let server = try PostgresServer.get()
        let m = PostgresBadInputTests.failure(server.url("table=t", password: "not-the-password"))
        #expect(m.contains("password authentication failed for user \"idem\""))
        #expect(!m.contains("not-the-password"))
        #expect(!m.contains("\n"))
    }

    @Test func missingTableAnotherShapeAndAWrongTypeNameTheirTableAndColumn() throws {
        let fx = try PGFixture("bad_shapes", setup: "rocket-setup")
        let missing = PostgresBadInputTests.failure(fx.url("table=nope&preset=rocket-rides"))
        #expect(missing.contains("table nope does not exist"))
        // The users table is another shape: its first missing column is named, with the option that maps it.
        let shape = PostgresBadInputTests.failure(fx.url("table=users&preset=rocket-rides"))
        #expect(shape.contains("has no column idempotency_key"), "\(shape)")
        #expect(shape.contains("key_col="))
        _ = try fx.sql("CREATE TABLE wrong_type (id bigserial primary key, created_at text, idempotency_key text, "
            + "last_run_at timestamptz, locked_at timestamptz, request_method text, request_params jsonb, "
            + "request_path text, response_code int, response_body jsonb, recovery_point text, user_id bigint)")
        let typed = PostgresBadInputTests.failure(fx.url("table=wrong_type&preset=rocket-rides"))
        #expect(typed.contains("column created_at of wrong_type is text"), "\(typed)")
        for m in [missing, shape, typed] { #expect(!m.contains("\n")) }
    }

    @Test func idemtopsOptionsStayOutOfLibpqAndLibpqsReachIt() throws {
        let c = try PostgresConfig(url: "postgres://u@h:5/db?table=t&sslmode=disable&preset=medusa&application_name=x")
        #expect(c.conninfo == "postgres://u@h:5/db?sslmode=disable&application_name=x")
        #expect(c.preset.name == "medusa")
        let bad = PostgresBadInputTests.failure("postgres://u@127.0.0.1:1/db?table=t&no_such_libpq_option=1")
        #expect(bad.contains("no_such_libpq_option"), "\(bad)")
        #expect(PostgresBadInputTests.failure("postgres://u@h/db?preset=x").contains("?table=NAME"))
        #expect(PostgresBadInputTests.failure("postgres://u@h/db?table=t&preset=x").contains("unknown postgres preset"))
        #expect(PostgresBadInputTests.failure("postgres://u@h/db?table=t&preset=custom").contains("key_col="))
    }
}
