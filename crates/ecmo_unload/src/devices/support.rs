//! Mechanical circulatory support, composed: each device owns its paths in the circuit and its
//! own control logic; this module hands them the pressures and volumes they see each step and
//! writes their flows into the circuit's flow array. Adding a device is adding its paths to
//! `circulation` and one call here.

use crate::circulation::{Circuit, Connection, N_CONNECTIONS, N_NODES, Node};
use crate::ecmo::{EcmoCircuit, EcmoConfig, Inlets, Ports, inlet_open_fraction};
use crate::iabp::{ConsoleStatus, IabpConsole, Senses};
use crate::impella::ImpellaPump;
use crate::patient::Patient;
use crate::septostomy::Septostomy;
use crate::units::s_from_ms;

/// What a console can sense of the heart this step: the ECG R wave, and whether the aortic
/// valve is open (the arterial upstroke and dicrotic notch).
#[derive(Clone, Copy, Debug, Default)]
pub struct HeartEvents {
    pub r_wave: bool,
    /// The R wave is a paced beat's (a pacing spike precedes it).
    pub paced: bool,
    pub aortic_open: bool,
}

/// What the device consoles show (the monitor reads these with the waveforms).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Readout {
    pub ecmo_rpm: f64,
    /// Pump inlet (venous line) pressure.
    pub ecmo_inlet_mmhg: f64,
    /// The ECMO drainage inlet is collapsing (suction; "chatter" at the bedside).
    pub ecmo_collapsing: bool,
    /// The Impella inlet is sucking down on the LV.
    pub impella_suction: bool,
    /// IABP balloon gas volume.
    pub iabp_balloon_ml: f64,
}

#[derive(Clone, Debug, Default)]
pub struct Support {
    ecmo_config: EcmoConfig,
    ecmo: EcmoCircuit,
    septostomy_area_mm2: f64,
    impella: ImpellaPump,
    iabp: IabpConsole,
    /// Was the aortic valve open last step (the IABP console senses opening and closing)?
    aortic_was_open: bool,
    /// This step's open fraction of the LV's pump inlets (vent and Impella), from its volume at
    /// the step's start.
    lv_inlet_open: f64,
}

impl Support {
    pub fn new(p: &Patient) -> Self {
        let mut s = Self::default();
        s.configure(p);
        s
    }

    /// Take up changed settings; device state (flows, controller) is kept.
    pub fn configure(&mut self, p: &Patient) {
        self.ecmo_config = EcmoConfig::new(&p.ecmo, &p.lv_vent, s_from_ms(p.numerics.dt_ms));
        self.septostomy_area_mm2 = p.septostomy.area_mm2();
        self.impella
            .configure(&p.impella, s_from_ms(p.numerics.dt_ms));
        self.iabp.configure(&p.iabp);
    }

    /// The balloon volume the descending thoracic aorta holds this step.
    #[inline]
    pub fn balloon_ml(&self) -> f64 {
        self.iabp.volume_ml
    }

    /// The part of the devices' step that needs only the volumes at its start (inlet collapse)
    /// and their own state. Called before the step's pressures are computed, so the ECMO
    /// junction's divisions overlap that work; [`Support::flows`] then completes the step.
    #[inline]
    pub fn prepare(&mut self, c: &Circuit, v: &[f64; N_NODES]) {
        let (ra, lv) = (Node::Ra.index(), Node::Lv.index());
        self.lv_inlet_open = inlet_open_fraction(v[lv], c.v0_ml[lv]);
        self.ecmo.prepare(
            &self.ecmo_config,
            Inlets {
                drainage_open: inlet_open_fraction(v[ra], c.v0_ml[ra]),
                vent_open: self.lv_inlet_open,
            },
        );
    }

    /// Device flows for this step from the circuit's pressures ([`Support::prepare`] first).
    #[inline]
    pub fn flows(
        &mut self,
        p: &[f64; N_NODES],
        heart: HeartEvents,
        dt_s: f64,
        q: &mut [f64; N_CONNECTIONS],
    ) {
        let (ra, lv) = (Node::Ra.index(), Node::Lv.index());
        let ports = Ports {
            ra_mmhg: p[ra],
            lv_mmhg: p[lv],
            descending_mmhg: p[Node::Descending.index()],
        };
        self.ecmo.advance(&self.ecmo_config, ports);
        q[Connection::EcmoDrainage.index()] = self.ecmo.drainage_ml_s;
        q[Connection::LvVent.index()] = self.ecmo.vent_ml_s;
        q[Connection::Septostomy.index()] =
            Septostomy::flow_ml_s(self.septostomy_area_mm2, p[Node::La.index()], p[ra]);
        self.impella
            .step(p[lv], p[Node::AorticRoot.index()], self.lv_inlet_open);
        q[Connection::Impella.index()] = self.impella.flow_ml_s;
        // The console senses the R wave and the arterial upstroke and notch: the aortic valve's
        // opening and closing (its state, not the net flow, which a regurgitant leak blurs). The
        // balloon it sets acts from the next step.
        let senses = Senses {
            r_wave: heart.r_wave,
            pacer_spike: heart.r_wave && heart.paced,
            av_opened: heart.aortic_open && !self.aortic_was_open,
            av_closed: !heart.aortic_open && self.aortic_was_open,
        };
        self.aortic_was_open = heart.aortic_open;
        self.iabp.step(senses, dt_s);
    }

    /// The circuit may have scaled flows down to keep volumes non-negative: devices with flow
    /// state take the scaled flows as their own.
    #[inline]
    pub fn take_limited(&mut self, q: &[f64; N_CONNECTIONS]) {
        self.ecmo.drainage_ml_s = q[Connection::EcmoDrainage.index()];
        self.ecmo.vent_ml_s = q[Connection::LvVent.index()];
        self.impella.flow_ml_s = q[Connection::Impella.index()];
    }

    pub fn readout(&self) -> Readout {
        Readout {
            ecmo_rpm: self.ecmo.rpm,
            ecmo_inlet_mmhg: self.ecmo.inlet_mmhg,
            ecmo_collapsing: self.ecmo.collapsing,
            impella_suction: self.impella.suction,
            iabp_balloon_ml: self.iabp.volume_ml,
        }
    }

    /// The IABP console's gas-line pressure, from the circuit's pressures (`p`, this step's).
    pub fn balloon_pressure_mmhg(&self, p: &[f64; N_NODES]) -> f64 {
        self.iabp.pressure_mmhg(p[Node::ThoracicAorta.index()])
    }

    /// Triggers the IABP console has acted on so far.
    pub fn iabp_triggers(&self) -> u64 {
        self.iabp.triggers_total
    }

    /// The IABP console's alarms' inputs.
    pub fn iabp_status(&self) -> ConsoleStatus {
        self.iabp.status()
    }
}
