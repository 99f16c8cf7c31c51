import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NKArchive
import NKModel

/// How often and how patiently to try again.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts that make no progress before giving up (a resumed transfer
    /// that brought new bytes does not count).
    public var attempts: Int
    /// The first wait; each next one doubles, up to `maxDelay`, with jitter.
    public var baseDelay: Double
    public var maxDelay: Double

    public init(attempts: Int = 6, baseDelay: Double = 1, maxDelay: Double = 60) {
        self.attempts = attempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The wait before try `n` (1, 2, …): exponential, with "equal jitter"
    /// (half fixed, half random) so that parallel downloads do not retry in step.
    public func delay(beforeTry n: Int, retryAfter: Double? = nil) -> Double {
        let exp = min(maxDelay, baseDelay * pow(2, Double(max(0, n - 1))))
        let wait = exp / 2 + Double.random(in: 0...(exp / 2))
        if let retryAfter { return min(maxDelay, max(wait, retryAfter)) }
        return wait
    }
}

/// What obtaining one file came to.
public enum DownloadOutcome: Sendable, Equatable {
    /// Downloaded, complete and verified (bytes received, tries).
    case downloaded(bytes: Int64, tries: Int)
    /// Already in the cache.
    case cached
    /// The archive does not have it (404, 410): a known data gap.
    case missing(String)
    /// Not obtained after the retries, or refused: why.
    case failed(String)
    /// The local disk failed (full, read-only): nothing more can be done here.
    case environment(String)
}

/// Downloads one file into the cache through `NAME.partial`, resuming with
/// `Range` after a dropped connection, retrying server errors, timeouts and
/// stalls with backoff, and renaming it into place only when its length is
/// the announced one and its whole gzip or bzip2 stream decodes with good
/// checksums.
public struct Downloader: Sendable {
    public let http: HTTPClient
    public let retry: RetryPolicy

    public init(http: HTTPClient, retry: RetryPolicy) {
        self.http = http
        self.retry = retry
    }

    /// Problems of a complete file: nil when its whole compressed stream
    /// decodes (CRCs and lengths included), else why not.
    public static func verify(_ path: String) -> String? {
        do {
            let stream = try ArchiveStream(path: path)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
            defer { buffer.deallocate() }
            while try stream.read(into: buffer) > 0 {}
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// A transfer decision taken when the response arrives.
    enum Restart: Error { case fromZero(String) }

    public func obtain(_ url: URL, to path: String, progress: @escaping @Sendable (Int64) -> Void = { _ in }) -> DownloadOutcome {
        let fm = FileManager.default
        if fm.fileExists(atPath: path) { return .cached }
        if let why = HTTPClient.unavailable { return .environment(why) }
        let partial = path + ".partial"
        do {
            try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            return .environment("\(path): cannot create its folder: \(error.localizedDescription)")
        }
        var tries = 0
        var idleTries = 0
        var received: Int64 = 0
        var lastProblem = ""
        var validator: String?
        var verifyFailures = 0
        while idleTries < retry.attempts && tries < retry.attempts * 20 {
            if tries > 0 { Thread.sleep(forTimeInterval: retry.delay(beforeTry: idleTries + 1, retryAfter: nil)) }
            tries += 1
            let fd = open(partial, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return .environment("\(partial): cannot write: \(String(cString: strerror(errno)))") }
            var offset = Int64(lseek(fd, 0, SEEK_END))
            let startOffset = offset
            var total: Int64?
            var writeError: String?
            let result: HTTPResult
            do {
                result = try http.get(url, offset: offset, validator: offset > 0 ? validator : nil, onResponse: { r in
                    if r.status == 200 {
                        // Whole file: from the start, whatever was there (a
                        // server that ignores Range answers so).
                        if offset > 0 {
                            guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else { throw HTTPError(description: "cannot truncate \(partial)") }
                            offset = 0
                        }
                        total = r.contentLength
                    } else if r.status == 206 {
                        guard let range = r.contentRange, range.start == offset else { throw Restart.fromZero("the server answered another range") }
                        total = range.total ?? r.contentLength.map { offset + $0 }
                    }
                    if validator == nil { validator = r.headers["etag"] ?? r.headers["last-modified"] }
                }, sink: { data in
                    var written = 0
                    try data.withUnsafeBytes { raw in
                        while written < raw.count {
                            let n = write(fd, raw.baseAddress! + written, raw.count - written)
                            if n < 0 {
                                if errno == EINTR { continue }
                                writeError = "\(partial): cannot write: \(String(cString: strerror(errno)))"
                                throw HTTPError(description: writeError!)
                            }
                            written += n
                        }
                    }
                    progress(Int64(data.count))
                })
            } catch Restart.fromZero(let why) {
                _ = ftruncate(fd, 0)
                close(fd)
                lastProblem = why
                idleTries += 1
                continue
            } catch {
                close(fd)
                if let writeError { return .environment(writeError) }
                lastProblem = "\(error)"
                idleTries += 1
                continue
            }
            let size = Int64(lseek(fd, 0, SEEK_END))
            received += max(0, result.bodyBytes)
            let progressed = size > startOffset || (result.status == 200 && result.bodyBytes > 0)
            switch result.status {
            case 200, 206:
                if let failure = result.failure {
                    close(fd)
                    lastProblem = failure
                    if !progressed { idleTries += 1 }
                    continue
                }
                if let total, size < total {
                    close(fd)
                    lastProblem = "the server sent \(size) of \(total) bytes"
                    if !progressed { idleTries += 1 }
                    continue
                }
                if let total, size > total {
                    _ = ftruncate(fd, 0)
                    close(fd)
                    lastProblem = "\(size) bytes, more than the \(total) announced"
                    idleTries += 1
                    continue
                }
                fsync(fd)
                close(fd)
                if let problem = Self.verify(partial) {
                    // Whole by its length but not by its content: the server's
                    // file changed between tries, or the bytes are bad. Once
                    // more from the start, then give up.
                    unlink(partial)
                    verifyFailures += 1
                    lastProblem = "the downloaded file does not decode: \(problem)"
                    if verifyFailures >= 2 { return .failed(lastProblem) }
                    continue
                }
                if rename(partial, path) != 0 { return .environment("\(path): cannot rename the download into place: \(String(cString: strerror(errno)))") }
                return .downloaded(bytes: received, tries: tries)
            case 404, 410:
                close(fd)
                unlink(partial)
                return .missing("HTTP \(result.status): not in the archive")
            case 416:
                // Asked from past the end: what we hold is either the whole
                // file (a run killed before its rename) or not.
                if let range = result.contentRange, range.total == size || result.headers["content-range"] == "bytes */\(size)" {
                    fsync(fd)
                    close(fd)
                    if Self.verify(partial) == nil, rename(partial, path) == 0 { return .downloaded(bytes: received, tries: tries) }
                } else {
                    close(fd)
                }
                truncate(partial, 0)
                lastProblem = "HTTP 416: the range asked for is past the end"
                idleTries += 1
            case 408, 425, 429, 500...599, 0:
                close(fd)
                lastProblem = result.status == 0 ? (result.failure ?? "no response") : "HTTP \(result.status)"
                if let after = result.headers["retry-after"].flatMap(Double.init), after <= retry.maxDelay {
                    Thread.sleep(forTimeInterval: after)
                }
                if !progressed { idleTries += 1 }
            default:
                close(fd)
                unlink(partial)
                return .failed("HTTP \(result.status)")
            }
        }
        return .failed("gave up after \(tries) tries: \(lastProblem)")
    }

    /// GETs a directory listing, with the same retries; nil for a folder the
    /// archive does not have (404, 410).
    public func listing(_ url: URL) -> Result<String?, HTTPError> {
        var lastProblem = ""
        for attempt in 0..<retry.attempts {
            if attempt > 0 { Thread.sleep(forTimeInterval: retry.delay(beforeTry: attempt)) }
            do {
                let (r, text) = try http.text(url)
                switch r.status {
                case 200 where r.failure == nil: return .success(text)
                case 404, 410: return .success(nil)
                case 200: lastProblem = r.failure ?? "incomplete"
                case 408, 425, 429, 500...599, 0: lastProblem = r.status == 0 ? (r.failure ?? "no response") : "HTTP \(r.status)"
                default: return .failure(HTTPError(description: "\(url): HTTP \(r.status)"))
                }
            } catch {
                lastProblem = "\(error)"
            }
        }
        return .failure(HTTPError(description: "\(url): gave up after \(retry.attempts) tries: \(lastProblem)"))
    }
}
