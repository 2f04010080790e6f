import FlyingFox
import FlyingSocks
import Foundation
import IdemCore
import IdemStore

/// The example service on loopback: FlyingFox's HTTP server in front of `PaymentsAPI`.
public final class ExampleServer: Sendable {
    private let server: HTTPServer
    private let api: PaymentsAPI

    /// A server on `127.0.0.1:port` (0: the system picks a free port) answering with `api`.
    public init(api: PaymentsAPI, port: UInt16) throws {
        self.api = api
        let address = try sockaddr_in.inet(ip4: "127.0.0.1", port: port)
        server = HTTPServer(address: address, timeout: 30, logger: .disabled)
    }

    /// Serves until the task is cancelled or `stop` is called.
    public func run() async throws {
        let api = self.api
        for route in ["POST /v1/charges", "POST /v1/refunds", "*"] {
            await server.appendRoute(HTTPRoute(stringLiteral: route)) { request in
                try await ExampleServer.answer(request, api: api)
            }
        }
        try await server.run()
    }

    /// Waits until the socket listens, then returns its base URL (`http://127.0.0.1:PORT`).
    public func waitUntilListening(timeout: TimeInterval = 5) async throws -> URL {
        try await server.waitUntilListening(timeout: timeout)
        guard case .ip4(_, let port)? = await server.listeningAddress,
              let url = URL(string: "http://127.0.0.1:\(port)")
        else { throw StoreError.io(path: "example service", why: "the server is not listening on 127.0.0.1") }
        return url
    }

    public func stop() async { await server.stop(timeout: 1) }

    static func answer(_ request: HTTPRequest, api: PaymentsAPI) async throws -> HTTPResponse {
        var headers: [String: String] = [:]
        for (name, value) in request.headers { headers[name.rawValue] = value }
        let data = try await request.bodyData
        let body = data.isEmpty ? nil : String(decoding: data, as: UTF8.self)
        let answer = await api.handle(PaymentsAPI.Request(method: request.method.rawValue, path: request.path,
                                                          headers: headers, body: body))
        var out = HTTPHeaders()
        for (name, value) in answer.headers { out[HTTPHeader(name)] = value }
        return HTTPResponse(statusCode: HTTPStatusCode(answer.status, phrase: phrase(answer.status)), headers: out,
                            body: Data((answer.body ?? "").utf8))
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 400: return "Bad Request"
        case 404: return "Not Found"
        case 409: return "Conflict"
        case 422: return "Unprocessable Content"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        default: return "Status"
        }
    }
}
