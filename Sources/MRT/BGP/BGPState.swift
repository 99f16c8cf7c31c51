/// A state of the BGP finite state machine as MRT STATE_CHANGE records carry
/// it (RFC 6396 §4.4.1, after RFC 4271 §8.2.2): 1 Idle, 2 Connect, 3 Active,
/// 4 OpenSent, 5 OpenConfirm, 6 Established. Other values are data: FRR's
/// bgpd writes its internal states 7 (Clearing) and 8 (Deleted).
public struct BGPState: RawRepresentable, Hashable, Comparable, Sendable, Codable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt16) { self.rawValue = value }

    /// No state: the value of elements that are not state changes.
    public static let none = BGPState(rawValue: 0)
    public static let idle = BGPState(rawValue: 1)
    public static let connect = BGPState(rawValue: 2)
    public static let active = BGPState(rawValue: 3)
    public static let openSent = BGPState(rawValue: 4)
    public static let openConfirm = BGPState(rawValue: 5)
    public static let established = BGPState(rawValue: 6)

    /// One of RFC 6396's six states.
    public var isDefined: Bool { rawValue >= 1 && rawValue <= 6 }

    public static func < (a: BGPState, b: BGPState) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch rawValue {
        case 1: return "Idle"
        case 2: return "Connect"
        case 3: return "Active"
        case 4: return "OpenSent"
        case 5: return "OpenConfirm"
        case 6: return "Established"
        default: return "state \(rawValue)"
        }
    }
}
