//! The schematic's layout: where each chamber, vessel, bed and device sits on the 100 x 100
//! unit canvas, the vessels as polylines with the flows they carry, and the canvas's mapping to
//! screen points.

use super::*;

/// One drawn vessel: a polyline from the path's source node to its sink (positive flow runs
/// along it), carrying `share` of the path's flow (a path drawn as several branches).
pub(super) struct Vessel {
    pub(super) path: Connection,
    pub(super) share: f32,
    pub(super) points: &'static [(f32, f32)],
    /// The colour at each end: the nodes' own, or the oxygenator's outlet.
    pub(super) from: Hue,
    pub(super) to: Hue,
}

#[derive(Clone, Copy)]
pub(super) enum Hue {
    Node(Node),
    /// Blood leaving the oxygenator.
    Oxygenator,
}

pub(super) const fn v(path: Connection, points: &'static [(f32, f32)]) -> Vessel {
    let (a, b) = path.ends();
    Vessel {
        path,
        share: 1.0,
        points,
        from: Hue::Node(a),
        to: Hue::Node(b),
    }
}

pub(super) const fn branch(path: Connection, share: f32, points: &'static [(f32, f32)]) -> Vessel {
    let mut x = v(path, points);
    x.share = share;
    x
}

/// Chamber centres (units).
pub(super) fn chamber_centre(n: Node) -> Pos2 {
    match n {
        Node::Ra => pos2(33.0, 55.0),
        Node::Rv => pos2(40.0, 71.0),
        Node::La => pos2(63.0, 50.0),
        _ => pos2(57.0, 71.0),
    }
}

pub(super) const LUNG_RIGHT: (Pos2, Vec2) = (pos2(19.0, 34.0), vec2(11.0, 14.0));
pub(super) const LUNG_LEFT: (Pos2, Vec2) = (pos2(85.0, 36.0), vec2(10.0, 13.0));
pub(super) const UPPER_BED: Rect = Rect::from_min_max(pos2(30.0, 2.0), pos2(72.0, 9.0));
pub(super) const LOWER_BED: Rect = Rect::from_min_max(pos2(30.0, 83.0), pos2(76.0, 89.0));
pub(super) const PUMP_CENTRE: Pos2 = pos2(38.0, 95.5);
pub(super) const PUMP_RADIUS: f32 = 2.6;
pub(super) const OXYGENATOR: Rect = Rect::from_min_max(pos2(47.0, 92.5), pos2(56.0, 98.5));
/// The descending aorta's line, where the balloon sits.
pub(super) const BALLOON_TOP: Pos2 = pos2(72.0, 35.0);
pub(super) const BALLOON_BOTTOM: Pos2 = pos2(72.0, 56.0);
pub(super) const BALLOON_MAX_HALF_WIDTH: f32 = 2.6;
pub(super) const SEPTUM_HOLE: Pos2 = pos2(43.5, 51.8);

/// Every vessel drawn, in drawing order (behind the chambers).
pub(super) static VESSELS: [Vessel; N_VESSELS] = [
    // Systemic arteries: root -> ascending -> arch -> descending, head and arm vessels, beds.
    v(
        Connection::RootToArch,
        &[(53.0, 57.0), (52.0, 42.0), (53.0, 27.0), (60.0, 18.6)],
    ),
    v(
        Connection::ArchToDescending,
        &[(60.0, 18.6), (68.0, 19.0), (72.0, 25.0), (72.0, 40.0)],
    ),
    v(
        Connection::ThoracicToAbdominal,
        &[(72.0, 40.0), (72.0, 58.0)],
    ),
    branch(
        Connection::UpperBody,
        1.0 / 3.0,
        &[(57.0, 19.5), (55.0, 9.0)],
    ),
    branch(
        Connection::UpperBody,
        1.0 / 3.0,
        &[(61.0, 18.5), (61.0, 9.0)],
    ),
    branch(
        Connection::UpperBody,
        1.0 / 3.0,
        &[(65.0, 18.5), (67.0, 9.0)],
    ),
    v(
        Connection::LowerBody,
        &[(72.0, 58.0), (72.0, 78.0), (68.0, 83.0)],
    ),
    v(
        Connection::Coronary,
        &[(52.5, 52.0), (45.0, 57.0), (38.0, 58.5)],
    ),
    // Veins.
    v(Connection::Svc, &[(38.0, 9.0), (34.0, 30.0), (33.0, 48.0)]),
    v(Connection::Ivc, &[(36.0, 83.0), (34.0, 72.0), (33.5, 61.0)]),
    // Pulmonary circulation: trunk and branches into the lungs, capillaries, veins to the LA.
    branch(
        Connection::PulmonaryArterial,
        0.5,
        &[(42.0, 64.0), (45.0, 45.0), (36.0, 40.0), (24.0, 33.0)],
    ),
    branch(
        Connection::PulmonaryArterial,
        0.5,
        &[(42.0, 64.0), (45.0, 45.0), (60.0, 43.0), (80.0, 34.0)],
    ),
    branch(
        Connection::PulmonaryCapillary,
        0.5,
        &[
            (24.0, 33.0),
            (20.6, 33.3),
            (17.6, 34.2),
            (15.7, 35.5),
            (15.0, 37.0),
            (15.7, 38.5),
            (17.6, 39.8),
            (20.6, 40.7),
            (24.0, 41.0),
        ],
    ),
    branch(
        Connection::PulmonaryCapillary,
        0.5,
        &[
            (80.0, 34.0),
            (83.4, 34.3),
            (86.4, 35.2),
            (88.3, 36.5),
            (89.0, 38.0),
            (88.3, 39.5),
            (86.4, 40.8),
            (83.4, 41.7),
            (80.0, 42.0),
        ],
    ),
    branch(
        Connection::PulmonaryVenous,
        0.5,
        &[(24.0, 41.0), (44.0, 47.0), (59.0, 49.0)],
    ),
    branch(
        Connection::PulmonaryVenous,
        0.5,
        &[(80.0, 42.0), (67.0, 48.0)],
    ),
    // Valves: short legs between chambers and vessels.
    v(Connection::Mitral, &[(62.0, 55.0), (59.5, 63.0)]),
    v(Connection::Aortic, &[(55.5, 63.0), (53.0, 57.0)]),
    v(Connection::Tricuspid, &[(34.5, 60.0), (38.0, 65.0)]),
    v(Connection::Pulmonic, &[(41.0, 65.0), (42.0, 64.0)]),
];

/// ECMO circuit: venous limb (RA -> pump, RA blood), arterial limb (oxygenator -> descending
/// aorta, oxygenated blood), the LV vent (LV -> pump inlet).
pub(super) static ECMO_VENOUS: Vessel = Vessel {
    path: Connection::EcmoDrainage,
    share: 1.0,
    points: &[
        (31.0, 59.0),
        (29.0, 72.0),
        (28.0, 90.0),
        (30.0, 95.5),
        (PUMP_CENTRE.x - PUMP_RADIUS, 95.5),
    ],
    // RA blood all the way to the pump (the path's own far end is the descending aorta).
    from: Hue::Node(Node::Ra),
    to: Hue::Node(Node::Ra),
};
pub(super) static ECMO_ARTERIAL: Vessel = Vessel {
    path: Connection::EcmoDrainage,
    share: 1.0,
    points: &[(56.0, 95.5), (78.0, 95.5), (79.0, 86.0), (72.6, 60.0)],
    from: Hue::Oxygenator,
    to: Hue::Node(Node::Descending),
};
pub(super) static ECMO_PUMP_TO_OXYGENATOR: Vessel = Vessel {
    path: Connection::EcmoDrainage,
    share: 1.0,
    points: &[(PUMP_CENTRE.x + PUMP_RADIUS, 95.5), (47.0, 95.5)],
    from: Hue::Node(Node::Ra),
    to: Hue::Oxygenator,
};
pub(super) static LV_VENT: Vessel = Vessel {
    path: Connection::LvVent,
    share: 1.0,
    points: &[
        (60.0, 80.0),
        (52.0, 87.0),
        (41.0, 91.0),
        (PUMP_CENTRE.x, PUMP_CENTRE.y - PUMP_RADIUS),
    ],
    from: Hue::Node(Node::Lv),
    to: Hue::Node(Node::Ra),
};
pub(super) static SEPTOSTOMY: Vessel = v(
    Connection::Septostomy,
    &[(58.0, 50.0), (43.5, 51.8), (38.0, 53.0)],
);
pub(super) static IMPELLA: Vessel = v(
    Connection::Impella,
    &[(62.0, 78.0), (55.5, 63.0), (52.5, 51.0)],
);

/// Vessels of the native circulation, and the devices' particle tracks after them.
pub(super) const N_VESSELS: usize = 20;
pub(super) const N_DEVICE_TRACKS: usize = 6;
pub(super) const N_TRACKS: usize = N_VESSELS + N_DEVICE_TRACKS;
pub(super) static DEVICE_TRACKS: [&Vessel; N_DEVICE_TRACKS] = [
    &ECMO_VENOUS,
    &ECMO_PUMP_TO_OXYGENATOR,
    &ECMO_ARTERIAL,
    &LV_VENT,
    &SEPTOSTOMY,
    &IMPELLA,
];
/// Where each device track's particle phase is kept (its place in `Schematic::tracks`).
pub(super) const TRACK_ECMO_VENOUS: usize = N_VESSELS;
pub(super) const TRACK_LV_VENT: usize = N_VESSELS + 3;
pub(super) const TRACK_SEPTOSTOMY: usize = N_VESSELS + 4;
pub(super) const TRACK_IMPELLA: usize = N_VESSELS + 5;

/// Maps canvas units to screen points.
pub(super) struct Canvas {
    pub(super) origin: Pos2,
    pub(super) scale: f32,
}

impl Canvas {
    pub(super) fn at(&self, p: Pos2) -> Pos2 {
        self.origin + p.to_vec2() * self.scale
    }
    pub(super) fn pt(&self, (x, y): (f32, f32)) -> Pos2 {
        self.at(pos2(x, y))
    }
    pub(super) fn len(&self, units: f32) -> f32 {
        units * self.scale
    }
    pub(super) fn rect(&self, r: Rect) -> Rect {
        Rect::from_min_max(self.at(r.min), self.at(r.max))
    }
}

/// Point at arc length `s` along a polyline, and the polyline's length.
pub(super) fn along(points: &[(f32, f32)], s: f32) -> Pos2 {
    let mut left = s;
    for w in points.windows(2) {
        let (a, b) = (pos2(w[0].0, w[0].1), pos2(w[1].0, w[1].1));
        let d = a.distance(b);
        if left <= d {
            return a + (b - a) * (left / d.max(f32::EPSILON));
        }
        left -= d;
    }
    let last = points[points.len() - 1];
    pos2(last.0, last.1)
}

/// The distance after which a track's particle pattern repeats: whole particle spacings
/// covering its length.
pub(super) fn period(vessel: &Vessel) -> f32 {
    (length(vessel.points) / PARTICLE_SPACING).ceil().max(1.0) * PARTICLE_SPACING
}

pub(super) fn length(points: &[(f32, f32)]) -> f32 {
    points
        .windows(2)
        .map(|w| pos2(w[0].0, w[0].1).distance(pos2(w[1].0, w[1].1)))
        .sum()
}
