import IdemUI

/// Maps theme colours to what the terminal has: #rrggbb to the nearest of the 256 (or 8) palette colours.
public enum ColorMapper {
    /// The terminal colour number for a theme colour, -1 for the terminal's default.
    public static func number(_ c: Color, colors: Int) -> Int16 {
        switch c {
        case .terminalDefault: return -1
        case .index(let n):
            return colors >= 256 || Int(n) < colors ? Int16(n) : nearestBasic(xterm(Int(n)), colors: colors)
        case .rgb(let r, let g, let b):
            return colors >= 256 ? nearest256(r, g, b) : nearestBasic((Int(r), Int(g), Int(b)), colors: colors)
        }
    }

    static let cube = [0, 95, 135, 175, 215, 255]

    /// The xterm-256 index closest to an RGB colour (the 6x6x6 cube or the grey ramp).
    public static func nearest256(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int16 {
        func level(_ v: UInt8) -> Int { cube.indices.min { abs(cube[$0] - Int(v)) < abs(cube[$1] - Int(v)) } ?? 0 }
        let (ri, gi, bi) = (level(r), level(g), level(b))
        let cubeColor = (cube[ri], cube[gi], cube[bi])
        let cubeIndex = 16 + 36 * ri + 6 * gi + bi
        let avg = (Int(r) + Int(g) + Int(b)) / 3
        let greyStep = max(0, min(23, (avg - 8 + 5) / 10))
        let greyValue = 8 + 10 * greyStep
        let rgb = (Int(r), Int(g), Int(b))
        return distance(rgb, (greyValue, greyValue, greyValue)) < distance(rgb, cubeColor)
            ? Int16(232 + greyStep) : Int16(cubeIndex)
    }

    /// The RGB of an xterm-256 index.
    static func xterm(_ n: Int) -> (Int, Int, Int) {
        if n >= 232 { let v = 8 + 10 * (n - 232); return (v, v, v) }
        if n >= 16 { let i = n - 16; return (cube[i / 36], cube[i / 6 % 6], cube[i % 6]) }
        return basic[n % basic.count]
    }

    static let basic: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255),
        (255, 255, 255),
    ]

    static func nearestBasic(_ rgb: (Int, Int, Int), colors: Int) -> Int16 {
        let n = max(1, min(colors, 16))
        return Int16((0..<n).min { distance(rgb, basic[$0]) < distance(rgb, basic[$1]) } ?? 7)
    }

    static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        let dr = a.0 - b.0, dg = a.1 - b.1, db = a.2 - b.2
        return 2 * dr * dr + 4 * dg * dg + 3 * db * db
    }
}
