import CNcurses
import IdemUI

/// Turns ncurses key codes into `Key`s.
enum KeyDecoder {
    /// A character get_wch returned (control characters included).
    static func character(_ c: UInt32) -> Key {
        switch c {
        case 10, 13: return .enter
        case 9: return .tab
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26:
            return .ctrl(Character(Unicode.Scalar(UInt8(c) + 96)))
        default:
            guard let u = Unicode.Scalar(c) else { return .char("?") }
            return .char(Character(u))
        }
    }

    /// A function key code (KEY_*).
    static func function(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_BTAB: return .backTab
        case KEY_F0 + 1...KEY_F0 + 12: return .function(Int(code - KEY_F0))
        default: return nil
        }
    }
}
