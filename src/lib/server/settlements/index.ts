// The Settlements capability: places, the household register, the 三员 roster and compliance.
export { isUuid } from './shared';
export {
	listSettlements,
	getSettlement,
	getFigures,
	listOrigins,
	listOpenCorrections,
	listSettlementRegions,
	createSettlement,
	updateSettlement,
	ledgerAccess
} from './places';
export {
	listHouseholds,
	getHousehold,
	listActiveMembers,
	createHousehold,
	updateHousehold,
	addMember,
	getMemberForEdit,
	updateMember,
	endMembership,
	moveOutHousehold,
	revealField,
	requestCorrection,
	listCorrections,
	resolveCorrection
} from './households';
export { listRoster, assignStaff, endAssignment } from './roster';
export { getOverview } from './overview';
export { listCompliance, listDuplicates } from './compliance';
