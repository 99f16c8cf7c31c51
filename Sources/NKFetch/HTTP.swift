import CCurl
import Foundation

/// What an HTTP GET came to.
public struct HTTPResult: Sendable {
    /// The status code; 0 when no response arrived.
    public var status: Int
    /// Response headers, names in lower case.
    public var headers: [String: String]
    /// Body bytes handed to the sink.
    public var bodyBytes: Int64
    /// Why the transfer stopped early (a dropped connection, a timeout), if it did.
    public var failure: String?
    /// The failure was a timeout (no byte for the idle timeout).
    public var timedOut: Bool

    /// `Content-Length` of this response.
    public var contentLength: Int64? { headers["content-length"].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) } }

    /// `Content-Range: bytes START-END/TOTAL` of a 206: (start, total).
    public var contentRange: (start: Int64, total: Int64?)? {
        guard let v = headers["content-range"]?.trimmingCharacters(in: .whitespaces), v.hasPrefix("bytes ") else { return nil }
        let rest = v.dropFirst(6)
        let parts = rest.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let dash = parts[0].firstIndex(of: "-"), let start = Int64(parts[0][..<dash]) else { return nil }
        return (start, Int64(parts[1]))
    }
}

/// HTTP GETs through libcurl (HTTP/1.1 and 2, TLS, redirects, proxies from
/// the environment), streamed to a sink as the bytes arrive, with an idle
/// timeout: a transfer that receives nothing for `idleTimeout` seconds ends
/// as timed out, however long a slow one runs. libcurl is loaded by the first
/// transfer (`CCurl`), not at start-up; each thread's transfer takes an easy
/// handle from a pool, and a handle keeps its open connections for the next.
public final class HTTPClient: @unchecked Sendable {
    /// One transfer in flight, seen by libcurl's callbacks.
    final class Transfer {
        let sink: (Data) throws -> Void
        let onResponse: ((HTTPResult) throws -> Void)?
        var result = HTTPResult(status: 0, headers: [:], bodyBytes: 0, failure: nil, timedOut: false)
        var responded = false
        var sinkError: Error?
        init(sink: @escaping (Data) throws -> Void, onResponse: ((HTTPResult) throws -> Void)?) {
            self.sink = sink
            self.onResponse = onResponse
        }

        /// Tells `onResponse` once, before the first byte of the final
        /// response's body (or after the transfer when it had none).
        func respond() -> Bool {
            guard !responded else { return true }
            responded = true
            do { try onResponse?(result) } catch {
                sinkError = error
                return false
            }
            return true
        }
    }

    /// An easy handle and the buffer libcurl writes its error text into.
    final class Handle {
        let easy: UnsafeMutableRawPointer
        let errors = UnsafeMutablePointer<CChar>.allocate(capacity: Int(NK_CURL_ERROR_SIZE) + 1)
        init(_ easy: UnsafeMutableRawPointer) { self.easy = easy }
        deinit {
            nk_curl_easy_cleanup(easy)
            errors.deallocate()
        }
    }

    public let userAgent: String
    public let idleTimeout: TimeInterval
    private let lock = NSLock()
    private var spare: [Handle] = []

    public init(userAgent: String, idleTimeout: TimeInterval = 60) {
        self.userAgent = userAgent
        self.idleTimeout = idleTimeout
    }

    /// Why no transfer can be made (libcurl cannot be loaded), or nil.
    public static var unavailable: String? { nk_curl_load().map { String(cString: $0) } }

    /// The libcurl in use, once loaded.
    public static var libraryVersion: String? { nk_curl_version().map { String(cString: $0) } }

    private func take() throws -> Handle {
        lock.lock()
        let h = spare.popLast()
        lock.unlock()
        if let h { return h }
        if let why = Self.unavailable { throw HTTPError(description: why) }
        guard let easy = nk_curl_easy_init() else { throw HTTPError(description: "libcurl could not start a transfer") }
        return Handle(easy)
    }

    private func give(_ h: Handle) {
        nk_curl_easy_reset(h.easy)  // keeps its connections and DNS cache
        lock.lock()
        if spare.count < 32 { spare.append(h) }
        lock.unlock()
    }

    /// GETs `url`, from byte `offset` when it is above 0 (a `Range`
    /// request, with `If-Range: validator` when one is given). The body of a
    /// 200 or 206 goes to `sink` chunk by chunk; other bodies are dropped.
    /// `onResponse` sees the status and headers before any byte of the body.
    /// An error thrown by `sink` or `onResponse` ends the transfer and is rethrown.
    public func get(_ url: URL, offset: Int64 = 0, validator: String? = nil, onResponse: ((HTTPResult) throws -> Void)? = nil,
                    sink: @escaping (Data) throws -> Void) throws -> HTTPResult {
        let handle = try take()
        defer { give(handle) }
        let easy = handle.easy
        var fields = [
            // The bytes as stored: a .gz is data here, not a transfer encoding.
            "Accept-Encoding: identity",
        ]
        if offset > 0 {
            fields.append("Range: bytes=\(offset)-")
            if let validator { fields.append("If-Range: \(validator)") }
        }
        var list: UnsafeMutableRawPointer?
        for f in fields {
            guard let next = nk_curl_slist_append(list, f) else {
                nk_curl_slist_free_all(list)
                throw HTTPError(description: "libcurl: out of memory")
            }
            list = next
        }
        defer { nk_curl_slist_free_all(list) }
        let transfer = Transfer(sink: sink, onResponse: onResponse)
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        handle.errors[0] = 0
        let code: Int32 = withExtendedLifetime(transfer) {
            url.absoluteString.withCString { u in
                userAgent.withCString { agent in
                    _ = nk_curl_setopt_pointer(easy, Int32(NK_CURLOPT_URL), u)
                    _ = nk_curl_setopt_pointer(easy, Int32(NK_CURLOPT_USERAGENT), agent)
                    _ = nk_curl_setopt_pointer(easy, Int32(NK_CURLOPT_HTTPHEADER), list)
                    _ = nk_curl_setopt_pointer(easy, Int32(NK_CURLOPT_ERRORBUFFER), handle.errors)
                    _ = nk_curl_setopt_long(easy, Int32(NK_CURLOPT_HTTPGET), 1)
                    _ = nk_curl_setopt_long(easy, Int32(NK_CURLOPT_NOSIGNAL), 1)
                    _ = nk_curl_setopt_long(easy, Int32(NK_CURLOPT_FOLLOWLOCATION), 1)
                    _ = nk_curl_setopt_long(easy, Int32(NK_CURLOPT_MAXREDIRS), 10)
                    let web = Int(NK_CURLPROTO_HTTP | NK_CURLPROTO_HTTPS)
                    _ = nk_curl_setopt_long(easy, Int32(NK_CURLOPT_PROTOCOLS), web)
                    _ = nk_curl_setopt_long(easy, Int32(NK_CURLOPT_REDIR_PROTOCOLS), web)
                    // Idle: under 1 byte/s for the timeout (whole seconds for
                    // libcurl) ends the transfer; so does a connection not made in it.
                    _ = nk_curl_setopt_long(easy, Int32(NK_CURLOPT_LOW_SPEED_LIMIT), 1)
                    _ = nk_curl_setopt_long(easy, Int32(NK_CURLOPT_LOW_SPEED_TIME), max(1, Int(idleTimeout.rounded(.up))))
                    _ = nk_curl_setopt_long(easy, Int32(NK_CURLOPT_CONNECTTIMEOUT_MS), max(1, Int(idleTimeout * 1000)))
                    _ = nk_curl_setopt_callback(easy, Int32(NK_CURLOPT_HEADERFUNCTION), HTTPClient.headerLine)
                    _ = nk_curl_setopt_pointer(easy, Int32(NK_CURLOPT_HEADERDATA), context)
                    _ = nk_curl_setopt_callback(easy, Int32(NK_CURLOPT_WRITEFUNCTION), HTTPClient.bodyBytes)
                    _ = nk_curl_setopt_pointer(easy, Int32(NK_CURLOPT_WRITEDATA), context)
                    return nk_curl_perform(easy)
                }
            }
        }
        if let e = transfer.sinkError { throw e }
        transfer.result.status = nk_curl_response_code(easy)
        if code != NK_CURLE_OK {
            transfer.result.timedOut = code == NK_CURLE_OPERATION_TIMEDOUT
            let detail = String(cString: handle.errors)
            let text = detail.isEmpty ? nk_curl_strerror(code).map { String(cString: $0) } ?? "" : detail
            transfer.result.failure = transfer.result.timedOut ? "no data for \(Int(idleTimeout.rounded(.up))) s (timed out)"
                : text.isEmpty ? "the transfer failed (libcurl error \(code))" : text
        }
        if transfer.result.status != 0, !transfer.respond(), let e = transfer.sinkError { throw e }
        return transfer.result
    }

    /// Each header line of each response (redirects and proxies' included): a
    /// status line starts the headers of the next response afresh.
    private static let headerLine: nk_curl_data_callback = { data, size, count, context in
        let n = size * count
        guard let data, let context else { return n }
        let t = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: n), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            let parts = line.split(separator: " ", maxSplits: 2)
            t.result.status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            t.result.headers = [:]
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            t.result.headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return n
    }

    /// Body bytes: those of a 200 or 206 go to the sink; returning less than
    /// was given ends the transfer (the sink or `onResponse` threw).
    private static let bodyBytes: nk_curl_data_callback = { data, size, count, context in
        let n = size * count
        guard let context else { return n }
        let t = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
        // The body of a redirect being followed is not the answer.
        if !t.responded, (300..<400).contains(t.result.status), t.result.headers["location"] != nil { return n }
        guard t.respond() else { return 0 }
        guard t.result.status == 200 || t.result.status == 206, let data, n > 0 else { return n }
        do {
            try t.sink(Data(bytes: data, count: n))
            t.result.bodyBytes += Int64(n)
        } catch {
            t.sinkError = error
            return 0
        }
        return n
    }

    /// GETs a small document (a directory listing) as text.
    public func text(_ url: URL, limit: Int = 64 << 20) throws -> (HTTPResult, String) {
        var body = Data()
        let r = try get(url) { chunk in
            body.append(chunk)
            if body.count > limit { throw HTTPError(description: "\(url): more than \(limit) bytes for a listing") }
        }
        return (r, String(decoding: body, as: UTF8.self))
    }
}

public struct HTTPError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}
