import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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

/// HTTP GETs through Foundation's URLSession (libcurl underneath on Linux:
/// HTTP/1.1 and 2, TLS, proxies from the environment), streamed to a sink as
/// the bytes arrive, with an idle timeout: a transfer that receives nothing
/// for `idleTimeout` seconds ends as timed out, however long a slow one runs.
public final class HTTPClient: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    /// One transfer in flight.
    final class Transfer: @unchecked Sendable {
        let sink: (Data) throws -> Void
        let onResponse: ((HTTPResult) throws -> Void)?
        var result = HTTPResult(status: 0, headers: [:], bodyBytes: 0, failure: nil, timedOut: false)
        var sinkError: Error?
        let done = DispatchSemaphore(value: 0)
        init(sink: @escaping (Data) throws -> Void, onResponse: ((HTTPResult) throws -> Void)?) {
            self.sink = sink
            self.onResponse = onResponse
        }
    }

    public let userAgent: String
    public let idleTimeout: TimeInterval
    private var session: URLSession!
    private let lock = NSLock()
    private var transfers: [Int: Transfer] = [:]

    public init(userAgent: String, idleTimeout: TimeInterval = 60) {
        self.userAgent = userAgent
        self.idleTimeout = idleTimeout
        super.init()
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = idleTimeout
        config.timeoutIntervalForResource = 7 * 86400
        config.httpMaximumConnectionsPerHost = 16
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        config.urlCache = nil
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        session = URLSession(configuration: config, delegate: self, delegateQueue: queue)
    }

    /// GETs `url`, from byte `offset` when it is above 0 (a `Range`
    /// request, with `If-Range: validator` when one is given). The body of a
    /// 200 or 206 goes to `sink` chunk by chunk; other bodies are dropped.
    /// `onResponse` sees the status and headers before any byte of the body.
    /// An error thrown by `sink` or `onResponse` ends the transfer and is rethrown.
    public func get(_ url: URL, offset: Int64 = 0, validator: String? = nil, onResponse: ((HTTPResult) throws -> Void)? = nil,
                    sink: @escaping (Data) throws -> Void) throws -> HTTPResult {
        var request = URLRequest(url: url)
        request.httpMethod = "GET"
        request.setValue(userAgent, forHTTPHeaderField: "User-Agent")
        // The bytes as stored: a .gz is data here, not a transfer encoding.
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        if offset > 0 {
            request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range")
            if let validator { request.setValue(validator, forHTTPHeaderField: "If-Range") }
        }
        let transfer = Transfer(sink: sink, onResponse: onResponse)
        let task = session.dataTask(with: request)
        lock.lock()
        transfers[task.taskIdentifier] = transfer
        lock.unlock()
        task.resume()
        transfer.done.wait()
        lock.lock()
        transfers[task.taskIdentifier] = nil
        lock.unlock()
        if let e = transfer.sinkError { throw e }
        return transfer.result
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

    func transfer(_ task: URLSessionTask) -> Transfer? {
        lock.lock()
        defer { lock.unlock() }
        return transfers[task.taskIdentifier]
    }

    public func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                           completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        if let t = transfer(dataTask), let http = response as? HTTPURLResponse {
            t.result.status = http.statusCode
            var headers: [String: String] = [:]
            for (k, v) in http.allHeaderFields {
                if let k = k as? String, let v = v as? String { headers[k.lowercased()] = v }
            }
            t.result.headers = headers
            do { try t.onResponse?(t.result) } catch {
                t.sinkError = error
                completionHandler(.cancel)
                return
            }
        }
        completionHandler(.allow)
    }

    public func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let t = transfer(dataTask), t.sinkError == nil else { return }
        guard t.result.status == 200 || t.result.status == 206 else { return }
        do {
            try t.sink(data)
            t.result.bodyBytes += Int64(data.count)
        } catch {
            t.sinkError = error
            dataTask.cancel()
        }
    }

    public func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        guard let t = transfer(task) else { return }
        if let error = error as NSError?, t.sinkError == nil {
            t.result.timedOut = error.code == NSURLErrorTimedOut
            let underlying = (error.userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription
            let text = t.result.timedOut ? "no data for \(Int(idleTimeout)) s (timed out)"
                : underlying.flatMap { $0 == "(null)" ? nil : $0 } ?? error.localizedDescription
            t.result.failure = text.isEmpty || text == "(null)" ? "the transfer failed (\(error.domain) \(error.code))" : text
        }
        t.done.signal()
    }
}

public struct HTTPError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}
