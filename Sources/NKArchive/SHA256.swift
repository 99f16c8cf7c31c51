import CCrypto
import MRT

/// SHA-256 (FIPS 180-4), for the content hash that makes ingest idempotent.
/// Computed by OpenSSL's libcrypto, which uses the CPU's SHA extensions where
/// there are any (about 1 GB/s here, against 60 MB/s for plain Swift code).
public final class SHA256 {
    private let context: OpaquePointer

    /// Throws only when OpenSSL cannot set up a digest (memory exhausted).
    public init() throws(ArchiveError) {
        guard let c = EVP_MD_CTX_new() else { throw ArchiveError(.libraryFailed, "OpenSSL could not allocate a SHA-256 context") }
        guard EVP_DigestInit_ex(c, EVP_sha256(), nil) == 1 else {
            EVP_MD_CTX_free(c)
            throw ArchiveError(.libraryFailed, "OpenSSL could not start a SHA-256 digest")
        }
        context = c
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    public func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// The digest as 64 lowercase hex digits. The hasher is spent afterwards.
    public func finalizeHex() -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest.prefix(Int(length)) {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
