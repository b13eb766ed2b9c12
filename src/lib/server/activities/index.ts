export * from './activities';
export * from './visits';
export {
	raiseFlag,
	raiseFlagInTx,
	raiseRegisterFlag,
	raiseIfLastLaborerLeft,
	listFlags,
	getFlag,
	verifyFlag,
	linkFlag,
	closeFlag,
	escalateUnverified,
	flagCounts,
	flagNumber,
	flagResource,
	riskSettingFor,
	reportingMonth,
	openAidCaseStatuses,
	type FlagInput,
	type FlagDetail
} from './risks';
export {
	monthReport,
	submitReport,
	reportStatus,
	listReportSettlements,
	listReports,
	listRiskSettings,
	saveRiskSetting,
	type ReportState
} from './reports';
export {
	runDuplicateCheck,
	checkDuplicates,
	listDuplicates,
	resolveDuplicate,
	listCheckRegions,
	listCheckRuns
} from './duplicates';
export { startRiskEscalationTimer } from './sweep';
